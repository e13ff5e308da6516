import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FakeCacheService } from '../../support/cache-service.js';
import { type TestRegistry, startRegistry } from '../../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../../support/runner.js';

// Serial: these tests empty the engine's own build cache, so that only the Actions cache can help.
const run = promisify(execFile);
const TOKEN = 'ghs_cacheTestToken0000000001';
const github: GitHub = { repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };
const service = new FakeCacheService();
const runner = new Runner();
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
  await service.start();
  copyFileSync('/bin/busybox', path.join(runner.workspace, 'busybox'));
  writeFileSync(
    path.join(runner.workspace, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      `RUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 2; echo ${randomUUID()} > /slow"]`,
      'COPY app.txt /app.txt',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(runner.workspace, 'app.txt'), 'version 1\n');
});
afterAll(async () => {
  await service.stop();
  await registry.stop();
});

/** A publish on a fresh runner: the engine's build cache is emptied first. */
async function publish(inputs: Record<string, string> = {}): Promise<StepResult> {
  await run('docker', ['buildx', 'prune', '--all', '--force']);
  return runner.main(github, { registry: registry.host, image: 'cached', tags: 'v1', ...inputs }, service.env);
}

/** Whether BuildKit reused the slow RUN step instead of running it. */
function runStepCached(step: StepResult): boolean {
  const log = step.stdout + step.stderr;
  const id = log.match(/^#(\d+) \[[^\]]*\] RUN /m)?.[1];
  if (!id) throw new Error(`no RUN step in the build log:\n${log}`);
  return new RegExp(`^#${id} CACHED$`, 'm').test(log);
}

const created = () => service.calls.filter((c) => c === 'CreateCacheEntry').length;

/** The build command the step ran, as its log shows it. */
const buildCommand = (step: StepResult) => step.stdout.match(/^\[command\]docker buildx build .*$/m)?.[0] ?? '';

describe('the build cache across workflow runs', () => {
  let first: StepResult;
  let second: StepResult;
  let third: StepResult;
  let savedAfterFirst: string[];

  beforeAll(async () => {
    first = await publish();
    savedAfterFirst = service.entries.filter((e) => e.finalized).map((e) => e.key);
    second = await publish();
    writeFileSync(path.join(runner.workspace, 'app.txt'), 'version 2\n');
    third = await publish();
  });

  it('starts cold and saves the cache', () => {
    expect(first.exitCode).toBe(0);
    expect(runStepCached(first)).toBe(false);
    expect(buildCommand(first)).toContain('--cache-to type=local');
    expect(savedAfterFirst).toEqual([expect.stringMatching(/^ghcr-publish-acme-cached-native-[0-9a-f]{32}$/)]);
  });

  it('restores the exact key for an unchanged context, reuses the slow step, and saves nothing again', () => {
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(`Cache hit for: ${service.entries[0].key}`);
    expect(runStepCached(second)).toBe(true);
    expect(second.stdout).not.toContain('Save the build cache');
    // What the key holds already is not exported again.
    expect(buildCommand(second)).toContain('--cache-from type=local');
    expect(buildCommand(second)).not.toContain('--cache-to');
  });

  it('restores the nearest key for a changed context, and saves under the new key', () => {
    expect(third.exitCode).toBe(0);
    expect(third.stdout).toContain(`Cache hit for restore-key: ${service.entries[0].key}`);
    expect(runStepCached(third)).toBe(true);
    expect(buildCommand(third)).toContain('--cache-to type=local');
    const keys = service.entries.filter((e) => e.finalized).map((e) => e.key);
    expect(keys).toHaveLength(2);
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('is left alone with cache: false', async () => {
    const before = service.calls.length;
    const step = await publish({ cache: 'false' });
    expect(step.exitCode).toBe(0);
    expect(service.calls.length).toBe(before);
    expect(runStepCached(step)).toBe(false);
    expect(created()).toBe(2);
  });
});
