import { afterAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { refusals, releaseRun, runnerInputs } from '../../__fixtures__/settings.js';
import type { GitHubContext } from '../../src/runner/github-context.js';
import type { RawInputs } from '../../src/settings/inputs.js';
import { settingsFrom } from '../../src/settings/settings.js';

const release = releaseRun();
const { dir } = release;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const on = (ref: string, over: Partial<GitHubContext> = {}): GitHubContext => ({ ...release.ctx, ref, defaultBranch: 'main', ...over });
const given = (ctx: GitHubContext, over: Partial<RawInputs> = {}) => runnerInputs(ctx, { token: 'ghs_abc', context: dir, ...over });
const read = (ref: string, over: Partial<RawInputs> = {}, ctx: Partial<GitHubContext> = {}) =>
  settingsFrom(given(on(ref, ctx), over), on(ref, ctx));
const refusedOn = (ref: string, over: Partial<RawInputs>) => refusals(() => read(ref, over));

describe('the tags, the guarded ones and the version of a run', () => {
  it.each([
    ['refs/tags/v1.2.3', {}, {}, ['1.2.3', '1.2', '1', 'latest'], ['1.2.3'], '1.2.3'],
    ['refs/tags/v1.2.3', { 'version-tags': '{{raw}}', 'extra-tags': 'stable' }, {}, ['v1.2.3', 'latest', 'stable'], ['v1.2.3'], '1.2.3'],
    [
      'refs/tags/v1.2.3',
      { 'tag-prefix': 'app-', 'tag-suffix': '-alpine' },
      {},
      ['app-1.2.3-alpine', 'app-1.2-alpine', 'app-1-alpine', 'app-alpine'],
      ['app-1.2.3-alpine'],
      '1.2.3',
    ],
    ['refs/tags/v2.0.0-rc.1', { 'extra-tags': 'next' }, {}, ['2.0.0-rc.1', 'next'], ['2.0.0-rc.1'], '2.0.0-rc.1'],
    [
      'refs/heads/main',
      { latest: 'default-branch', 'extra-tags': 'edge, main' },
      {},
      ['main', 'sha-0123456', 'latest', 'edge'],
      [],
      'main',
    ],
    ['refs/heads/v1.2.3', {}, {}, ['v1.2.3', 'sha-0123456'], [], 'v1.2.3'],
    ['refs/heads/main', { 'tag-suffix': '-alpine' }, { eventName: 'schedule' }, ['nightly-alpine', 'sha-0123456-alpine'], [], 'nightly'],
    ['refs/pull/7/merge', { 'tag-prefix': 'app-' }, { eventName: 'pull_request' }, ['app-pr-7'], [], 'pr-7'],
    ['refs/heads/main', { 'extra-tags': 'app-1.2.3' }, {}, ['main', 'sha-0123456', 'app-1.2.3'], ['app-1.2.3'], 'main'],
    ['refs/heads/main', { tags: 'edge,1.2.3-alpine' }, {}, ['edge', '1.2.3-alpine'], ['1.2.3-alpine'], 'edge'],
    ['refs/tags/v1.2.3', { tags: 'stable' }, {}, ['stable'], [], '1.2.3'],
    ['', { 'extra-tags': 'edge' }, { sha: '' }, ['edge'], [], 'edge'],
  ])('%s with %j %j', (ref, over, ctx, tags, whole, version) => {
    const s = read(ref, over, ctx);
    expect(s.tags).toEqual(tags);
    expect(s.wholeVersionTags).toEqual(whole);
    expect(s.version).toBe(version);
    expect(s.references).toEqual(tags.map((t) => `ghcr.io/acme/widget:${t}`));
  });

  it("is exactly today's with every new input at its default, given or left empty", () => {
    const defaults = {
      latest: 'auto',
      'version-tags': '{{version}},{{major}}.{{minor}},{{major}}',
      'tag-prefix': '',
      'tag-suffix': '',
      'extra-tags': '',
    };
    const empty = { latest: '', 'version-tags': '', 'tag-prefix': '', 'tag-suffix': '', 'extra-tags': '' };
    for (const ref of ['refs/tags/v1.2.3', 'refs/tags/v0.4.1', 'refs/tags/v2.0.0-rc.1', 'refs/heads/feature/X', 'refs/pull/7/merge']) {
      expect(read(ref, defaults).tags).toEqual(read(ref, empty).tags);
      expect(read(ref, defaults).changed).toEqual(['context']);
    }
  });

  it('says where each tag came from', () => {
    expect(read('refs/heads/main', { latest: 'default-branch', 'extra-tags': 'edge' }).tagSources).toEqual([
      { from: 'branch', why: 'main', tags: ['main'] },
      { from: 'commit', why: release.ctx.sha, tags: ['sha-0123456'] },
      { from: 'latest', why: 'default-branch, main is the default branch', tags: ['latest'] },
      { from: 'extra-tags', why: 'as written', tags: ['edge'] },
    ]);
    expect(read('refs/heads/main', { tags: 'v1' }).tagSources).toEqual([
      { from: 'tags', why: 'as written, in place of the derived tags', tags: ['v1'] },
    ]);
  });

  it('keeps the prefix and suffix for a promote of the variant', () => {
    expect(read('refs/tags/v1.2.3', { 'tag-prefix': 'app-', 'tag-suffix': '-alpine', promote: 'commit', context: '.' })).toMatchObject({
      tagPrefix: 'app-',
      tagSuffix: '-alpine',
    });
  });
});

describe('bad tag inputs fail before anything runs, each naming the input, the value, the rule and an example', () => {
  it.each([
    [{ latest: 'sometimes' }, 'latest', '"sometimes" is not one of auto, default-branch, true, false. Use for example "auto".'],
    [
      { 'version-tags': '{{version}},{{vers}}' },
      'version-tags',
      '"{{vers}}" holds {{vers}}, which is not a placeholder: a pattern may hold {{version}}, {{major}}, {{minor}}, {{patch}} and {{raw}}, with text around them. Use for example "{{version}},{{major}}.{{minor}},{{major}}" or "v{{version}}".',
    ],
    [
      { 'version-tags': 'v/{{version}}' },
      'version-tags',
      "\"v/{{version}}\" makes \"v/1.2.3\" of version v1.2.3, which is not a valid tag: a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', and does not start with '.' or '-'. Use for example \"v-{{version}}\".",
    ],
    [{ 'version-tags': '-{{version}}' }, 'version-tags', 'Use for example "{{version}}".'],
    [{ 'version-tags': '{{version' }, 'version-tags', 'Use for example "v{{version}}".'],
    [{ 'version-tags': `${'x'.repeat(125)}{{version}}` }, 'version-tags', 'which is not a valid tag'],
    [
      { 'tag-prefix': 'app/' },
      'tag-prefix',
      "\"app/\" cannot be part of a tag: it may hold letters, digits, '_', '.' and '-', starts with a letter, digit or '_', and needs a letter or digit (latest becomes the prefix and suffix without their separators). Use for example \"app-\".",
    ],
    [{ 'tag-prefix': '-app' }, 'tag-prefix', 'Use for example "app-".'],
    [{ 'tag-prefix': '_' }, 'tag-prefix', 'needs a letter or digit'],
    [{ 'tag-suffix': '-' }, 'tag-suffix', 'Use for example "-alpine".'],
    [{ 'tag-suffix': ' alpine' }, 'tag-suffix', '" alpine" cannot be part of a tag'],
    [{ 'tag-suffix': 'x'.repeat(120) }, 'tag-suffix', 'tag-prefix and tag-suffix have 120 characters together'],
    [{ 'extra-tags': 'edge, not a tag' }, 'extra-tags', '"not a tag" is not a valid tag'],
  ])('%j', (over, input, text) => {
    const { inputs, messages } = refusedOn('refs/heads/main', over);
    expect(inputs).toEqual([input]);
    expect(messages[0]).toContain(`Input '${input}': `);
    expect(messages[0]).toContain(text);
  });

  it('on a branch run as on a release: a pattern is checked whatever the ref', () => {
    for (const ref of ['refs/heads/main', 'refs/tags/v1.2.3', 'refs/pull/1/merge']) {
      expect(refusedOn(ref, { 'version-tags': '{{foo}}' }).inputs).toEqual(['version-tags']);
    }
  });

  it('all at once, with the other bad inputs', () => {
    const { inputs } = refusedOn('refs/heads/main', {
      latest: 'yes',
      'version-tags': '{{foo}},v {{version}},{{major}}',
      'tag-prefix': 'a/b',
      'tag-suffix': '!',
      'extra-tags': '-x',
      platforms: 'amd64',
    });
    expect(inputs).toEqual(['latest', 'tag-prefix', 'tag-suffix', 'version-tags', 'version-tags', 'extra-tags', 'platforms']);
    const patterns = refusedOn('refs/heads/main', { 'version-tags': '{{foo}},v {{version}},{{major}}', platforms: 'amd64' });
    expect(patterns.inputs).toEqual(['version-tags', 'version-tags', 'platforms']);
  });

  it('a version too long for a tag names version-tags when the release comes', () => {
    const ref = `refs/tags/v1.2.3-${'a'.repeat(120)}`;
    const { inputs, messages } = refusedOn(ref, { 'tag-suffix': '-alpine' });
    expect(inputs).toEqual(['version-tags']);
    expect(messages[0]).toContain('which is not a valid tag');
  });

  it('a release whose patterns give it no tag, and no extra-tags, names tags', () => {
    expect(refusedOn('refs/tags/v2.0.0-rc.1', { 'version-tags': '{{major}}.{{minor}}' }).inputs).toEqual(['tags']);
    expect(read('refs/tags/v2.0.0-rc.1', { 'version-tags': '{{major}}.{{minor}}', 'extra-tags': 'rc' }).tags).toEqual(['rc']);
  });

  it('bounds derived and extra tags together at 100, naming extra-tags', () => {
    const extra = Array.from({ length: 98 }, (_, i) => `t${i}`).join(',');
    expect(read('refs/heads/main', { 'extra-tags': extra }).tags).toHaveLength(100);
    const { inputs, messages } = refusedOn('refs/heads/main', { 'extra-tags': `${extra},t98` });
    expect(inputs).toEqual(['extra-tags']);
    expect(messages[0]).toBe("Input 'extra-tags': 101 tags are too many: one publish sets at most 100. Give at most 100 tags.");
  });

  it('refuses as many patterns as tags a publish may set', () => {
    const patterns = Array.from({ length: 100 }, (_, i) => `p${i}-{{version}}`).join(',');
    expect(refusedOn('refs/heads/main', { 'version-tags': patterns }).inputs).toEqual(['version-tags']);
  });
});
