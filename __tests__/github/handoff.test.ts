import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CacheLibrary, cacheModeAllows, createHandoff, handoffPrefix } from '../../src/github/handoff.js';
import { ActionError } from '../../src/runner/errors.js';

const temp = mkdtempSync(path.join(os.tmpdir(), 'handoff-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const scope = { imageName: 'ghcr.io/acme/widget', runId: '7', runAttempt: '2', tempDir: temp };

/** @actions/cache as the service answers: whether it is there, and whether it stores what is saved. */
function library(over: { available?: boolean; stores?: boolean } = {}): CacheLibrary & { saved: string[] } {
  const saved: string[] = [];
  return {
    saved,
    isFeatureAvailable: () => over.available ?? true,
    saveCache: async (_paths, key) => {
      saved.push(key);
      return (over.stores ?? true) ? saved.length : -1;
    },
    restoreCache: async (_paths, prefix) => saved.find((k) => k.startsWith(prefix)),
  };
}
const handoff = (lib: CacheLibrary, env: NodeJS.ProcessEnv = {}) => createHandoff(scope, env, async () => lib);
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ActionError,
  );

describe('before a platform job builds', () => {
  it('a cache that stores writes: one small entry, under a prefix the merge job never reads', async () => {
    const lib = library();
    await handoff(lib).checkWrite('linux/arm64');
    expect(lib.saved).toEqual([expect.stringMatching(/^ghcr-publish-probe\/[0-9a-f]{16}\/7\/linux\/arm64@2\/[0-9a-f-]{36}$/)]);
    expect(lib.saved[0].startsWith(handoffPrefix(scope, 'linux/arm64'))).toBe(false);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('a read-only token (the service answers cache write denied): refused, saying why and what to do', async () => {
    const e = await refusal(handoff(library({ stores: false })).checkWrite('linux/arm64'));
    expect(e).toBeInstanceOf(ActionError);
    expect(e?.input).toBe('push');
    expect(e?.message).toContain('cache write denied');
    expect(e?.message).toContain('pull_request_target');
    expect(e?.message).toContain('nothing was built');
    expect(e?.message).toContain('platforms: linux/amd64,linux/arm64');
  });

  it.each(['read', 'none', ' Read '])('ACTIONS_CACHE_MODE=%j: refused without writing anything', async (mode) => {
    const lib = library();
    const e = await refusal(handoff(lib, { ACTIONS_CACHE_MODE: mode }).checkWrite('linux/amd64'));
    expect(e?.message).toContain(`ACTIONS_CACHE_MODE=${mode}`);
    expect(lib.saved).toEqual([]);
  });

  it('no cache service on github.com: refused, naming the way without one', async () => {
    const e = await refusal(handoff(library({ available: false }), { GITHUB_SERVER_URL: 'https://github.com' }).checkWrite('linux/amd64'));
    expect(e?.message).toContain('this runner offers no Actions cache service,');
    expect(e?.message).toContain('platforms: linux/amd64,linux/arm64');
    expect(e?.message).not.toContain('Enterprise');
  });

  it('no cache service on GitHub Enterprise Server: the administrator enables it', async () => {
    const e = await refusal(
      handoff(library({ available: false }), { GITHUB_SERVER_URL: 'https://ghes.example.com' }).checkWrite('linux/amd64'),
    );
    expect(e?.message).toContain('GitHub Enterprise Server: ACTIONS_CACHE_URL is not set');
    expect(e?.message).toContain('An administrator of the server enables the Actions cache');
  });
});

describe('before a merge job looks', () => {
  it.each([
    ['write-only', false],
    ['none', false],
    ['read', true],
    ['', true],
  ])('ACTIONS_CACHE_MODE=%j: may read: %p', async (mode, reads) => {
    const e = await refusal(handoff(library(), { ACTIONS_CACHE_MODE: mode }).checkRead());
    expect(e?.input).toBe(reads ? undefined : 'merge');
  });

  it('finds what a platform job saved, by its digest', async () => {
    const lib = library();
    const digest = `sha256:${'b'.repeat(64)}`;
    await handoff(lib).save('linux/arm64', digest);
    expect(await handoff(lib).find('linux/arm64')).toBe(digest);
    expect(await handoff(lib).find('linux/amd64')).toBeUndefined();
  });

  it('a save the service does not store is an error', async () => {
    await expect(handoff(library({ stores: false })).save('linux/arm64', `sha256:${'c'.repeat(64)}`)).rejects.toThrow(
      'the Actions cache did not store the entry',
    );
  });
});

describe('ACTIONS_CACHE_MODE, as @actions/cache reads it', () => {
  it.each<[string | undefined, boolean, boolean]>([
    [undefined, true, true],
    ['write', true, true],
    ['read', true, false],
    ['write-only', false, true],
    ['none', false, false],
    ['something new', true, true],
  ])('%j: read %p, write %p', (mode, read, write) => {
    expect([cacheModeAllows(mode, 'read'), cacheModeAllows(mode, 'write')]).toEqual([read, write]);
  });
});
