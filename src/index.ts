import { isPost, markMainStarted } from './state.js';

// One bundle serves both steps: the main step marks itself, and the runner hands that state to the post step.
if (isPost()) {
  await (await import('./post.js')).run();
} else {
  markMainStarted();
  await (await import('./main.js')).run();
}
