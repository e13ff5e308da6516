import { copyFileSync, cpSync } from 'node:fs';
import path from 'node:path';
import { startRegistry } from './registry.ts';
import { ROOT, Runner, type StepResult } from './runner.ts';

export const EXAMPLE_TOKEN = 'ghs_exampleTokenForTheLocalRegistry0001';

/** The example image's context in a fresh runner workspace, with a static busybox copied in. */
export function exampleWorkspace(runner: Runner): string {
  const context = path.join(runner.workspace, 'hello');
  cpSync(path.join(ROOT, 'examples/hello'), context, { recursive: true });
  copyFileSync('/bin/busybox', path.join(context, 'busybox'));
  return context;
}

/** Publishes examples/hello through the bundled main and post steps to a registry started here. */
export async function publishExample(tag: string): Promise<{ main: StepResult; post: StepResult }> {
  const registry = await startRegistry({ kind: 'htpasswd', users: { 'example-bot': EXAMPLE_TOKEN } });
  try {
    const runner = new Runner();
    const github = { repository: 'Example-Org/Hello', actor: 'example-bot', token: EXAMPLE_TOKEN, ref: `refs/tags/${tag}` };
    const inputs = { registry: registry.host, context: exampleWorkspace(runner), description: 'The ghcr-publish example image' };
    const main = await runner.main(github, inputs);
    const post = await runner.post(github, inputs, main.state);
    return { main, post };
  } finally {
    await registry.stop();
  }
}
