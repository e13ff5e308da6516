import { describe, expect, it } from '@jest/globals';
import { refusals, releaseRun, runnerInputs } from '../../__fixtures__/settings.js';
import type { RawInputs } from '../../src/settings/inputs.js';
import { settingsFrom } from '../../src/settings/settings.js';

const { ctx, dir } = releaseRun();

// A promote or merge job needs no checkout: its context stays '.', the default. A build gets `dir`.
const given = (over: Partial<RawInputs> = {}) => runnerInputs(ctx, { token: 'ghs_abc', context: '.', ...over });
const refused = (over: Partial<RawInputs>) => refusals(() => settingsFrom(given(over), ctx)).inputs;
const messages = (over: Partial<RawInputs>) => refusals(() => settingsFrom(given(over), ctx)).messages;

describe('inputs that cannot go together, each error naming both', () => {
  it.each([
    [{ promote: 'commit', file: 'Dockerfile.release' }, ['promote+file']],
    [{ promote: 'commit', 'build-args': 'A=1' }, ['promote+build-args']],
    [{ promote: 'commit', target: 'runtime' }, ['promote+target']],
    [{ promote: 'commit', platforms: 'linux/amd64' }, ['promote+platforms']],
    [{ promote: 'commit', secrets: 'npm=x' }, ['promote+secrets']],
    [{ promote: 'commit', provenance: 'true' }, ['promote+provenance']],
    [{ promote: 'commit', labels: 'a=b' }, ['promote+labels']],
    [{ promote: 'commit', cache: 'false' }, ['promote+cache']],
    [{ promote: 'commit', context: 'app' }, ['promote+context']],
    [{ promote: 'commit', push: 'false' }, ['promote+push']],
    [{ merge: 'linux/amd64', file: 'Dockerfile.arm' }, ['merge+file']],
    [{ merge: 'linux/amd64', platforms: 'linux/amd64' }, ['merge+platforms']],
    [{ merge: 'linux/amd64', cache: 'false', provenance: 'TRUE' }, ['merge+provenance', 'merge+cache']],
    [{ merge: 'linux/amd64', push: 'false' }, ['merge+push']],
    [{ merge: 'linux/amd64', promote: 'commit' }, ['merge+promote']],
    [{ push: 'by-digest', merge: 'linux/amd64' }, ['push+merge', 'push+platforms']],
    [{ push: 'by-digest', promote: 'commit' }, ['push+promote', 'push+platforms']],
    [{ push: 'by-digest', context: dir }, ['push+platforms']],
    [{ push: 'by-digest', context: dir, platforms: 'linux/amd64,linux/arm64' }, ['push+platforms']],
    [{ tags: 'v1', latest: 'true', context: dir }, ['tags+latest']],
    [{ tags: 'v1', 'version-tags': 'v{{version}}', context: dir }, ['tags+version-tags']],
    [{ tags: 'v1', 'tag-prefix': 'app-', 'tag-suffix': '-alpine', context: dir }, ['tags+tag-prefix', 'tags+tag-suffix']],
    [{ tags: 'v1', 'extra-tags': 'edge', context: dir }, ['tags+extra-tags']],
  ])('%j', (over, conflicts) => {
    expect(refused(over)).toEqual(conflicts);
  });

  it.each([
    { promote: 'commit', cache: 'TRUE', provenance: 'False', context: './' },
    { promote: 'commit', file: 'Dockerfile' },
    { promote: 'commit', tags: '2.0.0', description: 'x', 'dry-run': 'true', 'prune-untagged': '7d' },
    { merge: 'linux/amd64,linux/arm64', 'dry-run': 'true', 'immutable-tags': 'false' },
    { push: 'by-digest', platforms: 'linux/arm64', 'dry-run': 'true', context: dir },
    { push: 'false', 'dry-run': 'true', context: dir },
    { tags: 'v1', latest: 'AUTO', 'version-tags': '{{version}}, {{major}}.{{minor}}, {{major}}', context: dir },
    { 'extra-tags': 'edge', latest: 'default-branch', 'tag-suffix': '-alpine', 'version-tags': 'v{{version}}', context: dir },
  ])('no conflict: %j', (over) => {
    expect(refused(over)).toEqual([]);
  });

  it('says what to do', () => {
    expect(messages({ promote: 'commit', file: 'Dockerfile.release' })).toEqual([
      "'promote' and 'file' cannot go together: promote publishes an image the registry already holds and builds nothing, so file would be ignored. Remove file: from this step; it belongs to the step that builds the image.",
    ]);
    expect(messages({ merge: 'linux/amd64', push: 'false' })[0]).toBe(
      "'merge' and 'push' cannot go together: merge publishes, and push: false would publish nothing. Use dry-run: true to see what it would do.",
    );
    expect(messages({ tags: 'v1', 'extra-tags': 'edge', context: dir })).toEqual([
      "'tags' and 'extra-tags' cannot go together: tags replaces the derived tags, and extra-tags shapes or adds to those, so it would be ignored. Put every tag in tags:, or remove tags: to have them derived with extra-tags.",
    ]);
    expect(messages({ push: 'by-digest', context: dir, platforms: 'linux/amd64,linux/arm64' })[0]).toContain(
      'platforms names 2 ("linux/amd64", "linux/arm64")',
    );
  });
});
