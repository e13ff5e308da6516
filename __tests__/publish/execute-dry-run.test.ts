import { describe, expect, it } from '@jest/globals';
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js';
import { ociImage } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, FakeHandoff, makeWorld, planOf, type World } from '../../__fixtures__/run-world.js';
import { context } from '../../__fixtures__/settings.js';
import { execute } from '../../src/publish/execute.js';
import type { Settings } from '../../src/settings/settings.js';

const REPO = 'acme/widget';
const image = (content: string, platform = 'linux/amd64') => ociImage({ platform, content });
const dry = (over: Partial<Settings> = {}) => planOf({ ...over, dryRun: true });

/** Nothing built, logged in, pushed, handed over or written: only questions were asked. */
function expectNoTrace(w: World, registryBefore: string): void {
  expect(w.docker.calls).toEqual([]);
  expect(w.registry.snapshot()).toBe(registryBefore);
  expect(w.registry.writes()).toEqual([]);
  expect(w.handoff.saved).toEqual([]);
  expect(w.buildDirs).toEqual([]);
  expect(w.state).toEqual([]);
}

const log = capturedRuns();

describe('a dry run', () => {
  it('of a build asks the push check and the held versions, prints the plan, and does nothing', async () => {
    const w = makeWorld();
    const before = w.registry.snapshot();
    const plan = dry();
    const result = await execute(plan, w.deps);
    expectNoTrace(w, before);
    expect(w.registry.count('checkPush')).toBe(1);
    expect(new Set(w.registry.calls.map((c) => c.method))).toEqual(new Set(['checkPush', 'findManifest']));
    expect(result).toMatchObject({
      references: plan.references,
      pushed: false,
      digest: '',
      tokenSource: 'github-token',
      credential: 'token (GITHUB_TOKEN) as octocat',
    });
    expect(log.text()).toContain('Dry run: nothing is built, logged in, pushed or written.');
    expect(log.text()).toContain('references: ghcr.io/acme/widget:1.2.3');
  });

  it('fails where the push check refuses every credential', async () => {
    const w = makeWorld();
    w.registry.refusePush('all');
    const e = await failure(execute(dry(), w.deps));
    expect(e.message).toContain('No credential may push to ghcr.io/acme/widget');
    expect(w.docker.calls).toEqual([]);
  });

  it('of a read-only run says the push is skipped and asks the registry nothing', async () => {
    const w = makeWorld({ ctx: { ...context, readOnlyToken: true } });
    const result = await execute(planOf({ dryRun: true }, w.deps.ctx), w.deps);
    expect(result.skipReason).toContain('read-only');
    expect(w.registry.calls).toEqual([]);
    expect(w.docker.calls).toEqual([]);
  });

  it('of a promote reports the digest it would publish', async () => {
    const w = makeWorld();
    const digest = w.registry.seed(REPO, image('tested'), 'sha-0123456');
    const before = w.registry.snapshot();
    const result = await execute(dry({ promote: { kind: 'commit' } }), w.deps);
    expectNoTrace(w, before);
    expect(result).toMatchObject({ digest, pushed: false, references: ['ghcr.io/acme/widget:1.2.3', 'ghcr.io/acme/widget:latest'] });
  });

  it('of a promote onto a full version held on another digest fails as the run would', async () => {
    const w = makeWorld();
    w.registry.seed(REPO, image('tested'), 'sha-0123456');
    const held = w.registry.seed(REPO, image('released before'), '1.2.3');
    const e = await failure(execute(dry({ promote: { kind: 'commit' } }), w.deps));
    expect(e.message).toContain(`Input 'immutable-tags': ghcr.io/acme/widget:1.2.3 already holds ${held}`);
    expect(w.registry.writes()).toEqual([]);
  });

  it('of a merge reports the digest the merge will publish, and sets nothing', async () => {
    const registry = new MemoryRegistry();
    const handoff = new FakeHandoff();
    for (const p of ['linux/amd64', 'linux/arm64']) handoff.held.set(p, registry.seed(REPO, image(p, p)));
    const merge = { merge: ['linux/amd64', 'linux/arm64'] };
    const w = makeWorld({ registry, handoff });
    const before = registry.snapshot();
    const planned = await execute(dry(merge), w.deps);
    expectNoTrace(w, before);
    const merged = await execute(planOf(merge), makeWorld({ registry, handoff }).deps);
    expect(planned.digest).toBe(merged.digest);
  });

  it('of a platform job builds, pushes and hands over nothing', async () => {
    const w = makeWorld();
    const before = w.registry.snapshot();
    const result = await execute(dry({ byDigest: true, platforms: ['linux/arm64'] }), w.deps);
    expectNoTrace(w, before);
    expect(w.registry.count('checkPush')).toBe(1);
    expect(result).toMatchObject({ references: [], digest: '', pushed: false });
  });

  it('asks the prune what it would delete, as a dry run', async () => {
    const w = makeWorld();
    const result = await execute(dry({ pruneUntagged: 0 }), w.deps);
    expect(w.prunes).toEqual([{ keep: [], dryRun: true, who: 'github-token' }]);
    expect(result.pruned).toEqual(['sha256:'.padEnd(71, 'd')]);
  });

  it('of a promote with a prune keeps the digest it would publish', async () => {
    const w = makeWorld();
    const digest = w.registry.seed(REPO, image('tested'), 'sha-0123456');
    await execute(dry({ promote: { kind: 'commit' }, pruneUntagged: 0 }), w.deps);
    expect(w.prunes).toEqual([{ keep: [digest], dryRun: true, who: 'github-token' }]);
  });
});
