import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pushEvent } from '../support/jobs.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// cache: false builds from scratch, the builder's own cache included: a step whose output differs
// on every run (a fresh UUID from the kernel) is run again, so the image gets another digest.
// With the cache, the same step is reused and the digest is the same (the control).
const TOKEN = 'ghs_cacheOffTestToken0000001';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const github: GitHub = { repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main', sha: SHA };
// The commit's time from the event: the same created label in every build.
const event = pushEvent(SHA, '2026-03-01T12:00:00Z');
const runner = new Runner();
let registry: TestRegistry;
let first: StepResult;
let cached: StepResult;
let uncached: StepResult;

beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
  copyFileSync('/bin/busybox', path.join(runner.workspace, 'busybox'));
  writeFileSync(
    path.join(runner.workspace, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      `RUN ["/bin/busybox", "sh", "-c", "/bin/busybox cat /proc/sys/kernel/random/uuid > /run-id # ${randomUUID()}"]`,
      '',
    ].join('\n'),
  );
  const publish = (inputs: Record<string, string> = {}) =>
    runner.main(github, { registry: registry.host, image: 'fresh', ...inputs }, event);
  first = await publish();
  cached = await publish();
  uncached = await publish({ cache: 'false' });
});
afterAll(async () => {
  await registry.stop();
  for (const dir of [runner.dir, path.dirname(event.GITHUB_EVENT_PATH)]) rmSync(dir, { recursive: true, force: true });
});

describe('cache: false', () => {
  it("builds with --no-cache, so even the builder's own cache is not used: the step runs again", () => {
    for (const step of [first, cached, uncached]) expect(step.exitCode).toBe(0);
    expect(cached.outputs.digest).toBe(first.outputs.digest);
    expect(uncached.outputs.digest).not.toBe(first.outputs.digest);
    const builds = (step: StepResult) => step.dockerCalls.filter((c) => c.startsWith('buildx build'));
    expect(builds(uncached)).toEqual([expect.stringContaining(' --no-cache ')]);
    expect(builds(cached)).toEqual([expect.not.stringContaining('--no-cache')]);
  });
});
