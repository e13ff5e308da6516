import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { failure, listTags } from '../support/observe.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// An image larger than the room left on the runner: RUNNER_TEMP is a 1 MiB tmpfs here, and the
// image's one layer is 2 MiB of random data, which the OCI layout cannot hold.
const TOKEN = 'ghs_diskFullTestToken0123456789abcdefQ';
const github: GitHub = { repository: 'acme/widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };

let registry: TestRegistry;
let runner: Runner;
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
  runner = new Runner();
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY data.bin /data.bin\n');
  writeFileSync(path.join(runner.workspace, 'data.bin'), randomBytes(2 * 1024 * 1024));
});
afterAll(() => registry.stop());

describe('a build that fills the runner’s disk', () => {
  it('fails saying where it was writing, the room left, and what to do; nothing is published', async () => {
    const inputs = { registry: registry.host, image: 'too-big' };
    // Unmounted by the test itself: the runner's folders are removed once the file's tests are done.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', runner.temp]);
    let main: StepResult;
    let post: StepResult;
    try {
      main = await runner.main(github, inputs);
      post = await runner.post(github, inputs, main.state);
    } finally {
      execFileSync('umount', [runner.temp]);
    }
    expect(main.exitCode).toBe(1);
    const said = failure(main);
    expect(said).toContain('no space left on device');
    expect(said).toContain("The runner's disk is full. The build writes the compressed image to");
    expect(said).toMatch(/under RUNNER_TEMP; \d MB free now/);
    expect(said).toContain('set reproducible: false');
    expect(main.outputs.digest).toBeUndefined();
    expect(await listTags(`${registry.host}/acme/too-big`, `octo-bot:${TOKEN}`)).toEqual([]);
    expect(post.exitCode).toBe(0);
  });
});
