import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { allReferences, makePlan } from '../../src/plan/plan.js';

const created = { date: new Date('2026-01-02T03:04:05Z'), from: 'the event payload' as const };

describe('the plan', () => {
  it('of a release build: tags, the guarded versions, labels from the commit time and SOURCE_DATE_EPOCH', () => {
    const plan = makePlan(settings({ tags: ['1.2.3', '1.2', '1', 'latest'] }), context, created);
    expect(plan).toMatchObject({ mode: 'build', push: 'tags', immutable: ['1.2.3'], epoch: 1767323045 });
    expect(plan.references).toEqual(['1.2.3', '1.2', '1', 'latest'].map((t) => `ghcr.io/acme/widget:${t}`));
    expect(plan.labels['org.opencontainers.image.created']).toBe('2026-01-02T03:04:05.000Z');
    expect(plan.labels['org.opencontainers.image.revision']).toBe(context.sha);
    expect(plan.credentials.order.map((c) => c.source)).toEqual(['github-token']);
  });

  it('without reproducible: no epoch; without immutable-tags: nothing guarded', () => {
    const plan = makePlan(settings({ reproducible: false, immutableTags: false }), context, { date: new Date(), from: 'the clock' });
    expect(plan.epoch).toBeUndefined();
    expect(plan.immutable).toEqual([]);
  });

  it('of promote: commit names the sha- tag of this image', () => {
    const plan = makePlan(settings({ promote: { kind: 'commit' } }), context, created);
    expect(plan).toMatchObject({ mode: 'promote', promote: { path: 'acme/widget', reference: 'sha-0123456' }, epoch: undefined });
  });

  it('guards the tags that hold the whole version, as the settings found them', () => {
    const s = settings({ tags: ['app-1.2.3-alpine', 'app-1.2-alpine', 'app-alpine'], wholeVersionTags: ['app-1.2.3-alpine'] });
    expect(makePlan(s, context, created).immutable).toEqual(['app-1.2.3-alpine']);
    // A branch named like a version is not a version: nothing guarded.
    expect(makePlan(settings({ tags: ['v1.2.3', 'sha-0123456'], wholeVersionTags: [] }), context, created).immutable).toEqual([]);
  });

  it("fills the build arguments' placeholders with the run's values, the time that of the created label", () => {
    const plan = makePlan(
      settings({ version: '1.2.3', buildArgs: ['APP_VERSION={{version}}', 'BUILT={{created}}', 'REV={{short-sha}}', 'KEEP={{other}}'] }),
      context,
      created,
    );
    expect(plan.version).toBe('1.2.3');
    expect(plan.buildArgs).toEqual([
      'APP_VERSION=1.2.3',
      `BUILT=${plan.labels['org.opencontainers.image.created']}`,
      'REV=0123456',
      'KEEP={{other}}',
    ]);
  });

  it('of promote: commit of a variant names its sha- tag with the prefix and suffix', () => {
    const plan = makePlan(settings({ promote: { kind: 'commit' }, tagPrefix: 'app-', tagSuffix: '-alpine' }), context, created);
    expect(plan.promote).toMatchObject({ reference: 'app-sha-0123456-alpine', howMade: expect.stringContaining('app-sha-<7 hex>-alpine') });
  });

  it('of promote from another image on the registry', () => {
    const plan = makePlan(
      settings({ promote: { kind: 'reference', path: 'acme/builds', reference: 'sha256:'.padEnd(71, 'a') } }),
      context,
      created,
    );
    expect(plan.promote).toMatchObject({ path: 'acme/builds', reference: 'sha256:'.padEnd(71, 'a') });
  });

  it('of a merge: the platforms, the linking annotations for the index', () => {
    const plan = makePlan(settings({ merge: ['linux/amd64', 'linux/arm64'], description: 'A widget', licenses: 'MIT' }), context, created);
    expect(plan.mode).toBe('merge');
    expect(plan.merge).toEqual(['linux/amd64', 'linux/arm64']);
    expect(plan.annotations).toEqual({
      'org.opencontainers.image.source': 'https://github.com/Acme/Widget',
      'org.opencontainers.image.description': 'A widget',
      'org.opencontainers.image.licenses': 'MIT',
    });
  });

  it('of a platform job: no release tags, nothing guarded, no prune', () => {
    const plan = makePlan(settings({ byDigest: true, platforms: ['linux/arm64'], pruneUntagged: 0 }), context, created);
    expect(plan).toMatchObject({ push: 'by-digest', tags: [], references: [], immutable: [], prune: undefined });
  });

  it('uses the PAT where the rules rule GITHUB_TOKEN out, and says why', () => {
    const plan = makePlan(settings({ owner: 'other', pat: 'ghp_x', patUsername: 'robot' }), context, created);
    expect(plan.credentials.order.map((c) => c.source)).toEqual(['pat']);
    expect(plan.credentials.why).toContain("another owner's namespace");
  });

  it('skips the push of a read-only run without a PAT, and fails where no credential could push', () => {
    expect(makePlan(settings(), { ...context, readOnlyToken: true }, created).credentials.skipped).toContain('read-only');
    expect(() => makePlan(settings({ owner: 'other' }), context, created)).toThrow('no PAT was given');
  });

  it('with push: false only logs in for the build, whatever the owner', () => {
    const plan = makePlan(settings({ owner: 'other', push: false }), context, created);
    expect(plan).toMatchObject({ push: 'none', immutable: [] });
    expect(plan.credentials.order.map((c) => c.source)).toEqual(['github-token']);
  });
});

describe('the other registries of also-push-to', () => {
  const hub = {
    registry: 'docker.io',
    path: 'acme/widget',
    imageName: 'docker.io/acme/widget',
    username: 'acme',
    passwordEnv: 'HUB_TOKEN',
    password: 'x',
  };

  it('get the same tags: every reference, the main image first', () => {
    const plan = makePlan(settings({ alsoPushTo: [hub] }), context, created);
    expect(allReferences(plan)).toEqual([
      'ghcr.io/acme/widget:1.2.3',
      'ghcr.io/acme/widget:latest',
      'docker.io/acme/widget:1.2.3',
      'docker.io/acme/widget:latest',
    ]);
  });

  it('are none when nothing is pushed', () => {
    expect(makePlan(settings({ alsoPushTo: [hub], push: false }), context, created).others).toEqual([]);
  });
});
