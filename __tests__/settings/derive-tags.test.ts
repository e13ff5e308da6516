import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RULES, type LatestMode, type TagRules, type TagRun, deriveTags, latestName } from '../../src/settings/derive-tags.js';
import { parseVersionPatterns } from '../../src/settings/version-tags.js';

const SHA = 'AbCdEf0123456789abcdef0123456789abcdef01';
const run = (ref: string, over: Partial<TagRun> = {}): TagRun => ({ ref, sha: SHA, eventName: 'push', defaultBranch: 'main', ...over });
const patterns = (text: string) => parseVersionPatterns(text.split(','), { prefix: '', suffix: '' }).patterns;
const rules = (over: Partial<Omit<TagRules, 'patterns'>> & { versionTags?: string } = {}): TagRules => {
  const { versionTags, ...rest } = over;
  return { ...DEFAULT_RULES, ...rest, ...(versionTags ? { patterns: patterns(versionTags) } : {}) };
};

describe("the interface's table, every input at its default", () => {
  it.each([
    ['refs/tags/v1.2.3', {}, ['1.2.3', '1.2', '1', 'latest'], ['1.2.3'], '1.2.3'],
    ['refs/tags/1.2.3', {}, ['1.2.3', '1.2', '1', 'latest'], ['1.2.3'], '1.2.3'],
    ['refs/tags/v10.20.30', {}, ['10.20.30', '10.20', '10', 'latest'], ['10.20.30'], '10.20.30'],
    ['refs/tags/v0.4.1', {}, ['0.4.1', 'latest'], ['0.4.1'], '0.4.1'],
    ['refs/tags/v0.0.1', {}, ['0.0.1', 'latest'], ['0.0.1'], '0.0.1'],
    ['refs/tags/v1.2.3+build.7', {}, ['1.2.3', '1.2', '1', 'latest'], ['1.2.3'], '1.2.3'],
    ['refs/tags/v2.0.0-rc.1', {}, ['2.0.0-rc.1'], ['2.0.0-rc.1'], '2.0.0-rc.1'],
    ['refs/tags/v0.1.0-alpha', {}, ['0.1.0-alpha'], ['0.1.0-alpha'], '0.1.0-alpha'],
    ['refs/tags/release/2024 Q1', {}, ['release-2024-Q1'], [], 'release-2024-Q1'],
    ['refs/tags/.hidden', {}, ['hidden'], [], 'hidden'],
    ['refs/heads/main', {}, ['main', 'sha-abcdef0'], [], 'main'],
    ['refs/heads/feature/X', {}, ['feature-x', 'sha-abcdef0'], [], 'feature-x'],
    ['refs/heads/feature/New_UI', {}, ['feature-new_ui', 'sha-abcdef0'], [], 'feature-new_ui'],
    ['refs/heads/-dash', {}, ['dash', 'sha-abcdef0'], [], 'dash'],
    ['refs/heads/v1.2.3', {}, ['v1.2.3', 'sha-abcdef0'], [], 'v1.2.3'],
    ['refs/pull/42/merge', { eventName: 'pull_request' }, ['pr-42'], [], 'pr-42'],
    ['refs/heads/main', { eventName: 'schedule' }, ['nightly', 'sha-abcdef0'], [], 'nightly'],
    ['refs/notes/x', {}, ['sha-abcdef0'], [], 'sha-abcdef0'],
  ])('%s %j → %j, guarded %j, version %s', (ref, over, tags, whole, version) => {
    const derived = deriveTags(run(ref, over));
    expect(derived.tags).toEqual(tags);
    expect(derived.whole).toEqual(whole);
    expect(derived.version).toBe(version);
    expect(derived.release).toBe(whole.length > 0);
  });

  it('cuts a long branch to 128 characters', () => {
    const [tag] = deriveTags(run(`refs/heads/${'b'.repeat(300)}`)).tags;
    expect(tag).toHaveLength(128);
  });

  it('gives no tags for an unknown ref without a commit', () => {
    expect(deriveTags(run('', { sha: '' })).tags).toEqual([]);
  });
});

describe('latest', () => {
  const has = (mode: LatestMode, ref: string, over: Partial<TagRun> = {}) =>
    deriveTags(run(ref, over), rules({ latest: mode })).tags.includes('latest');
  it.each([
    ['auto', 'refs/tags/v1.2.3', {}, true],
    ['auto', 'refs/tags/v0.4.1', {}, true],
    ['auto', 'refs/tags/v2.0.0-rc.1', {}, false],
    ['auto', 'refs/tags/nightly-build', {}, false],
    ['auto', 'refs/heads/main', {}, false],
    ['auto', 'refs/heads/v1.2.3', {}, false],
    ['default-branch', 'refs/heads/main', {}, true],
    ['default-branch', 'refs/heads/main', { eventName: 'workflow_dispatch' }, true],
    ['default-branch', 'refs/heads/trunk', { defaultBranch: 'trunk' }, true],
    ['default-branch', 'refs/heads/feature/x', {}, false],
    ['default-branch', 'refs/heads/main', { defaultBranch: undefined }, false],
    ['default-branch', 'refs/heads/main', { eventName: 'schedule' }, false],
    ['default-branch', 'refs/heads/main', { eventName: 'pull_request_target' }, false],
    ['default-branch', 'refs/pull/7/merge', { eventName: 'pull_request' }, false],
    ['default-branch', 'refs/tags/v1.2.3', {}, false],
    ['true', 'refs/pull/7/merge', { eventName: 'pull_request' }, true],
    ['true', 'refs/tags/v2.0.0-rc.1', {}, true],
    ['true', 'refs/heads/main', { eventName: 'schedule' }, true],
    ['false', 'refs/tags/v1.2.3', {}, false],
  ] as const)('%s on %s %j: %p', (mode, ref, over, on) => {
    expect(has(mode, ref, over)).toBe(on);
  });

  it('comes last, and only with its own part of the table changed', () => {
    expect(deriveTags(run('refs/heads/main'), rules({ latest: 'default-branch' })).tags).toEqual(['main', 'sha-abcdef0', 'latest']);
    expect(deriveTags(run('refs/tags/v1.2.3'), rules({ latest: 'default-branch' })).tags).toEqual(['1.2.3', '1.2', '1']);
    expect(deriveTags(run('refs/pull/7/merge'), rules({ latest: 'true' })).tags).toEqual(['pr-7', 'latest']);
  });

  it('says why, as the plan shows it', () => {
    const why = (mode: LatestMode, ref: string, over: Partial<TagRun> = {}) =>
      deriveTags(run(ref, over), rules({ latest: mode })).sources.find((s) => s.from === 'latest');
    expect(why('default-branch', 'refs/heads/main')).toEqual({
      from: 'latest',
      why: 'default-branch, main is the default branch',
      tags: ['latest'],
    });
    expect(why('default-branch', 'refs/heads/dev')?.why).toBe('default-branch, dev is not the default branch (main)');
    expect(why('default-branch', 'refs/heads/main', { defaultBranch: undefined })?.why).toBe(
      'default-branch, the event payload names no default branch',
    );
    expect(why('auto', 'refs/tags/v1.2.3')?.why).toBe('auto, v1.2.3 is a stable version');
    expect(why('auto', 'refs/heads/main')).toEqual({ from: 'latest', why: 'auto, refs/heads/main is not a stable version tag', tags: [] });
  });
});

describe('version-tags', () => {
  it.each([
    ['v{{version}}', 'refs/tags/v1.2.3', ['v1.2.3', 'latest'], ['v1.2.3']],
    ['{{raw}}', 'refs/tags/v1.2.3', ['v1.2.3', 'latest'], ['v1.2.3']],
    ['{{raw}}', 'refs/tags/1.2.3', ['1.2.3', 'latest'], ['1.2.3']],
    ['{{raw}}', 'refs/tags/v1.2.3+build.7', ['v1.2.3-build.7', 'latest'], ['v1.2.3-build.7']],
    ['v{{version}},v{{major}}.{{minor}},v{{major}}', 'refs/tags/v1.2.3', ['v1.2.3', 'v1.2', 'v1', 'latest'], ['v1.2.3']],
    ['{{major}}.{{minor}}.{{patch}},{{major}}.{{minor}}', 'refs/tags/v1.2.3', ['1.2.3', '1.2', 'latest'], ['1.2.3']],
    ['{{version}},{{major}}.{{minor}}.{{patch}}', 'refs/tags/v1.2.3', ['1.2.3', 'latest'], ['1.2.3']],
    ['{{version}},stable', 'refs/tags/v1.2.3', ['1.2.3', 'stable', 'latest'], ['1.2.3']],
    ['release-{{major}}', 'refs/tags/v3.0.0', ['release-3', 'latest'], []],
    // 0.x: only the patterns holding the whole version, {{major}}.{{minor}}.{{patch}} among them.
    ['{{major}}.{{minor}}.{{patch}},{{major}}.{{minor}},{{major}}', 'refs/tags/v0.4.1', ['0.4.1', 'latest'], ['0.4.1']],
    ['v{{version}},v{{major}}.{{minor}},{{raw}}', 'refs/tags/v0.4.1', ['v0.4.1', 'latest'], ['v0.4.1']],
    ['{{version}},stable', 'refs/tags/v0.4.1', ['0.4.1', 'latest'], ['0.4.1']],
    // A prerelease: {{version}} and {{raw}} only.
    ['v{{version}},v{{major}}.{{minor}},{{major}}.{{minor}}.{{patch}}', 'refs/tags/v2.0.0-rc.1', ['v2.0.0-rc.1'], ['v2.0.0-rc.1']],
    ['{{raw}},{{major}}', 'refs/tags/v2.0.0-rc.1', ['v2.0.0-rc.1'], ['v2.0.0-rc.1']],
    ['{{major}}.{{minor}}.{{patch}}', 'refs/tags/v2.0.0-rc.1', [], []],
  ])('%s on %s → %j, guarded %j', (versionTags, ref, tags, whole) => {
    const derived = deriveTags(run(ref), rules({ versionTags }));
    expect(derived.tags).toEqual(tags);
    expect(derived.whole).toEqual(whole);
  });

  it('leaves branches, pull requests and schedules alone, a branch named like a version too', () => {
    const r = rules({ versionTags: 'v{{version}},{{raw}}' });
    expect(deriveTags(run('refs/heads/v1.2.3'), r)).toMatchObject({ tags: ['v1.2.3', 'sha-abcdef0'], whole: [], version: 'v1.2.3' });
    expect(deriveTags(run('refs/pull/7/merge'), r).tags).toEqual(['pr-7']);
    expect(deriveTags(run('refs/heads/main', { eventName: 'schedule' }), r).tags).toEqual(['nightly', 'sha-abcdef0']);
  });

  it("keeps the run's version the semver version, whatever the patterns", () => {
    expect(deriveTags(run('refs/tags/v1.2.3'), rules({ versionTags: 'v{{version}}', prefix: 'app-' })).version).toBe('1.2.3');
  });

  it('says which patterns published on which version', () => {
    const [source] = deriveTags(run('refs/tags/v2.0.0-rc.1')).sources;
    expect(source).toEqual({
      from: 'version-tags',
      why: '{{version}},{{major}}.{{minor}},{{major}} on v2.0.0-rc.1, a prerelease: only the patterns holding the whole version',
      tags: ['2.0.0-rc.1'],
    });
  });
});

describe('tag-prefix and tag-suffix', () => {
  it.each([
    [{ prefix: 'app-' }, 'refs/tags/v1.2.3', {}, ['app-1.2.3', 'app-1.2', 'app-1', 'app'], ['app-1.2.3'], '1.2.3'],
    [{ suffix: '-alpine' }, 'refs/tags/v1.2.3', {}, ['1.2.3-alpine', '1.2-alpine', '1-alpine', 'alpine'], ['1.2.3-alpine'], '1.2.3'],
    [
      { prefix: 'app-', suffix: '-alpine' },
      'refs/tags/v1.2.3',
      {},
      ['app-1.2.3-alpine', 'app-1.2-alpine', 'app-1-alpine', 'app-alpine'],
      ['app-1.2.3-alpine'],
      '1.2.3',
    ],
    [{ suffix: '-alpine' }, 'refs/tags/v2.0.0-rc.1', {}, ['2.0.0-rc.1-alpine'], ['2.0.0-rc.1-alpine'], '2.0.0-rc.1'],
    [{ suffix: '-alpine' }, 'refs/tags/v0.4.1', {}, ['0.4.1-alpine', 'alpine'], ['0.4.1-alpine'], '0.4.1'],
    [{ suffix: '-alpine' }, 'refs/heads/main', {}, ['main-alpine', 'sha-abcdef0-alpine'], [], 'main'],
    [
      { prefix: 'app-', suffix: '-alpine' },
      'refs/heads/feature/X',
      {},
      ['app-feature-x-alpine', 'app-sha-abcdef0-alpine'],
      [],
      'feature-x',
    ],
    [{ prefix: 'app-' }, 'refs/pull/7/merge', { eventName: 'pull_request' }, ['app-pr-7'], [], 'pr-7'],
    [{ suffix: '-alpine' }, 'refs/heads/main', { eventName: 'schedule' }, ['nightly-alpine', 'sha-abcdef0-alpine'], [], 'nightly'],
    [{ prefix: 'app-', latest: 'default-branch' as const }, 'refs/heads/main', {}, ['app-main', 'app-sha-abcdef0', 'app'], [], 'main'],
  ])('%j on %s %j → %j', (over, ref, runOver, tags, whole, version) => {
    const derived = deriveTags(run(ref, runOver), rules(over));
    expect(derived.tags).toEqual(tags);
    expect(derived.whole).toEqual(whole);
    expect(derived.version).toBe(version);
  });

  it('cut a long branch so that the whole tag keeps to 128 characters', () => {
    const [tag] = deriveTags(run(`refs/heads/${'b'.repeat(300)}`), rules({ prefix: 'app-', suffix: '-alpine' })).tags;
    expect(tag).toHaveLength(128);
    expect(tag).toMatch(/^app-b+-alpine$/);
  });

  it('are named in the sources, with the latest they make', () => {
    const sources = deriveTags(run('refs/heads/main'), rules({ prefix: 'app-', suffix: '-alpine' })).sources.map((s) => s.from);
    expect(sources).toEqual(['branch', 'commit', 'latest', 'tag-prefix', 'tag-suffix']);
  });

  it.each([
    ['', '', 'latest'],
    ['app-', '', 'app'],
    ['app_', '', 'app'],
    ['', '-alpine', 'alpine'],
    ['', '.alpine', 'alpine'],
    ['app-', '-alpine', 'app-alpine'],
    ['app_', '-alpine', 'app-alpine'],
    ['app_', 'alpine', 'app_alpine'],
    ['app', 'alpine', 'appalpine'],
  ])('latest of prefix %j and suffix %j is %j', (prefix, suffix, name) => {
    expect(latestName(prefix, suffix)).toBe(name);
  });
});

describe('repeats', () => {
  it('are dropped, keeping the first', () => {
    const derived = deriveTags(
      run('refs/tags/v1.2.3'),
      rules({ versionTags: '{{version}},{{major}}.{{minor}}.{{patch}},{{raw}},{{version}}' }),
    );
    expect(derived.tags).toEqual(['1.2.3', 'v1.2.3', 'latest']);
    expect(derived.whole).toEqual(['1.2.3', 'v1.2.3']);
  });
});
