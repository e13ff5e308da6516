// Publishes examples/hello to a registry started on 127.0.0.1, through the real main and post steps.
import { publishExample } from '../__tests__/support/example.ts';

const { main, post } = await publishExample('v1.0.0');
process.stdout.write(main.stdout.replace(/^::add-mask::.*\n/gm, ''));
process.stdout.write(post.stdout);
if (main.exitCode !== 0 || post.exitCode !== 0) {
  console.error(`The example failed (main: exit ${main.exitCode}, post: exit ${post.exitCode}).`);
  process.exit(1);
}
console.log(`\nPublished:\n${main.outputs.tags}\ndigest: ${main.outputs.digest}`);
