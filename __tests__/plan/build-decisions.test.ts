import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { decideBuild } from '../../src/plan/build-decisions.js';
import type { Builder } from '../../src/docker/docker.js';
import { makePlan } from '../../src/plan/plan.js';
import type { Settings } from '../../src/settings/settings.js';

const created = { date: new Date('2026-01-02T03:04:05Z'), from: 'the event payload' as const };
const CONTAINERD: Builder = { buildx: true, driver: 'docker', capable: true };
const PLAIN_DOCKER: Builder = { buildx: true, driver: 'docker', capable: false };
const CONTAINER: Builder = { buildx: true, driver: 'docker-container', capable: true };
const CLASSIC: Builder = { buildx: false, driver: '', capable: false };
const MULTI = { platforms: ['linux/amd64', 'linux/arm64'] };

const decide = (over: Partial<Settings>, builder: Builder, cacheService: boolean, ownBuilderFailed?: string) =>
  decideBuild({ plan: makePlan(settings(over), context, created), builder, cacheService, ownBuilderFailed });

describe('what a build will be', () => {
  it.each([
    [
      'containerd store, push',
      {},
      CONTAINERD,
      true,
      { ownBuilder: false, cache: true, output: 'oci', enginePush: false, rewriteTimestamps: true },
    ],
    [
      'containerd store, push: false',
      { push: false },
      CONTAINERD,
      true,
      { ownBuilder: false, cache: true, output: 'load', enginePush: false },
    ],
    ['containerd store, several platforms, push: false', { push: false, ...MULTI }, CONTAINERD, false, { output: 'load' }],
    ['docker-container builder, several platforms, push: false', { push: false, ...MULTI }, CONTAINER, false, { output: 'none' }],
    [
      'plain docker driver, one platform, no cache service',
      {},
      PLAIN_DOCKER,
      false,
      { ownBuilder: false, cache: false, output: 'load', enginePush: true, rewriteTimestamps: false },
    ],
    ['plain docker driver, the cache', {}, PLAIN_DOCKER, true, { ownBuilder: true, cache: true, output: 'oci' }],
    ['plain docker driver, several platforms', MULTI, PLAIN_DOCKER, false, { ownBuilder: true, cache: false, output: 'oci' }],
    [
      'plain docker driver, a platform job',
      { byDigest: true, platforms: ['linux/arm64'] },
      PLAIN_DOCKER,
      false,
      { ownBuilder: true, output: 'oci' },
    ],
    ['classic builder', { cache: false }, CLASSIC, true, { ownBuilder: false, cache: false, output: 'load', enginePush: true }],
    ['cache: false', { cache: false }, CONTAINERD, true, { cache: false, output: 'oci' }],
    [
      'containerd store, reproducible: false: the engine pushes',
      { reproducible: false },
      CONTAINERD,
      true,
      { ownBuilder: false, cache: true, output: 'load', enginePush: true, rewriteTimestamps: false },
    ],
    ['containerd store, reproducible: false, several platforms', { reproducible: false, ...MULTI }, CONTAINERD, false, { output: 'oci' }],
    ['containerd store, reproducible: false, provenance', { reproducible: false, provenance: true }, CONTAINERD, false, { output: 'oci' }],
    [
      'containerd store, reproducible: false, a platform job',
      { reproducible: false, byDigest: true, platforms: ['linux/arm64'] },
      CONTAINERD,
      false,
      { output: 'oci', enginePush: false },
    ],
    ['docker-container builder, reproducible: false', { reproducible: false }, CONTAINER, false, { output: 'oci', enginePush: false }],
  ])('%s', (_what, over, builder, cacheService, expected) => {
    expect(decide(over, builder, cacheService)).toMatchObject(expected);
  });

  it('the classic builder refuses what only BuildKit does, naming the input', () => {
    expect(() => decide(MULTI, CLASSIC, false)).toThrow("Input 'platforms'");
    expect(() => decide({ secrets: [{ id: 'a', value: 'b' }] }, CLASSIC, false)).toThrow("Input 'secrets'");
    expect(() => decide({ provenance: true }, CLASSIC, false)).toThrow("Input 'provenance'");
    expect(() => decide({ byDigest: true, platforms: ['linux/amd64'] }, CLASSIC, false)).toThrow("Input 'push'");
  });

  it('says once what it cannot make reproducible', () => {
    expect(decide({ cache: false }, CLASSIC, false).notices.join()).toContain('reproducible: the classic builder');
    expect(decide({}, PLAIN_DOCKER, false).notices.join()).toContain('reproducible: the current builder');
    expect(decide({ reproducible: false, cache: false }, PLAIN_DOCKER, false).notices).toEqual([]);
  });

  it('when no builder of its own starts: several platforms fail, the cache is dropped with a warning', () => {
    expect(() => decide(MULTI, PLAIN_DOCKER, false, 'pull access denied')).toThrow("Input 'platforms'");
    const d = decide({}, PLAIN_DOCKER, true, 'pull access denied');
    expect(d).toMatchObject({ ownBuilder: false, cache: false, output: 'load', enginePush: true });
    expect(d.warnings.join()).toContain('pull access denied');
  });

  it('without a cache service: a notice, and no builder of its own for one platform', () => {
    const d = decide({}, PLAIN_DOCKER, false);
    expect(d.ownBuilder).toBe(false);
    expect(d.notices.join()).toContain('no Actions cache service');
  });
});
