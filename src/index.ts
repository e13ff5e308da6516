import { run as runMain } from './main.js';
import { run as runPost } from './post.js';
import { isPost, markMainStarted } from './state.js';

// One bundle serves both steps: the main step marks itself, and the runner hands that state to the post step.
if (isPost()) {
  await runPost();
} else {
  markMainStarted();
  await runMain();
}
