import { describe, expect, it } from '@jest/globals';
import { type ImageSet, ociImage, ociIndex, withAttestations } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, makeWorld, planOf } from '../../__fixtures__/run-world.js';
import { ActionError } from '../../src/runner/errors.js';
import { execute } from '../../src/publish/execute.js';
import type { Settings } from '../../src/settings/settings.js';
import { sha256Digest } from '../../src/registry/manifest-tree.js';

const REPO = 'acme/widget';
const SHA_TAG = 'sha-0123456';
const image = (content: string, platform = 'linux/amd64') =>
  ociImage({ platform, labels: { 'org.opencontainers.image.revision': 'x' }, content });
const twoPlatforms = (): ImageSet =>
  ociIndex([
    { image: image('amd64 build', 'linux/amd64'), platform: 'linux/amd64' },
    { image: image('arm64 build', 'linux/arm64'), platform: 'linux/arm64' },
  ]);
const fromCommit: Partial<Settings> = { promote: { kind: 'commit' } };

const log = capturedRuns();

describe('promote', () => {
  it("commit: sets the run's tags on the sha- image of the same repository, no build, no docker, the digest unchanged", async () => {
    const w = makeWorld();
    const digest = w.registry.seed(REPO, image('tested on the branch'), SHA_TAG);
    const result = await execute(planOf(fromCommit), w.deps);
    expect(w.docker.calls).toEqual([]);
    expect(w.registry.count('checkPush')).toBe(1);
    expect(w.registry.tagsOf(REPO)).toEqual({ [SHA_TAG]: digest, '1.2.3': digest, latest: digest });
    expect(
      w.registry
        .writes()
        .map((c) => `${c.method} ${c.reference}`)
        .sort(),
    ).toEqual(['putManifest 1.2.3', 'putManifest latest']);
    expect(w.registry.uploadedBytes).toBe(0);
    expect(result).toMatchObject({ digest, pushed: true, tokenSource: 'github-token' });
    expect(w.registry.callsOf('manifest').map((c) => c.reference)).toEqual(expect.arrayContaining(['1.2.3', 'latest']));
  });

  it('says that description and licenses are not applied: the image keeps the labels it was built with', async () => {
    const w = makeWorld();
    const digest = w.registry.seed(REPO, image('tested'), SHA_TAG);
    const result = await execute(planOf({ ...fromCommit, description: 'New words', licenses: 'MIT' }), w.deps);
    expect(result.digest).toBe(digest);
    expect(log.text()).toContain('::notice::description and licenses: not applied by a promote');
  });

  it('with logout: false logs the engine in for later steps, and still builds nothing', async () => {
    const w = makeWorld();
    w.registry.seed(REPO, image('tested'), SHA_TAG);
    await execute(planOf({ ...fromCommit, logout: false }), w.deps);
    expect(w.docker.calls.map((c) => c.method)).toEqual(['login']);
  });

  it('from another repository: manifests copied, layers mounted, not one byte uploaded', async () => {
    const w = makeWorld();
    const source = twoPlatforms();
    const digest = w.registry.seed('acme/builds', source, 'candidate');
    const result = await execute(planOf({ promote: { kind: 'reference', path: 'acme/builds', reference: 'candidate' } }), w.deps);
    expect(result.digest).toBe(digest);
    expect(w.registry.uploadedBytes).toBe(0);
    expect(w.registry.count('uploadBlob')).toBe(0);
    expect(w.registry.count('mountBlob', { from: 'acme/builds' })).toBe(source.blobs.length);
    for (const child of source.children) expect(w.registry.hasManifest(REPO, child.digest)).toBe(true);
    expect(w.registry.tagsOf(REPO)).toEqual({ '1.2.3': digest, latest: digest });
    expect(w.registry.tagsOf('acme/builds')).toEqual({ candidate: digest });
  });

  it('from another repository whose layers the registry will not mount (202): streamed from the source, with a notice', async () => {
    const w = makeWorld();
    const source = twoPlatforms();
    const digest = w.registry.seed('acme/builds', source, 'candidate');
    w.registry.declineMounts();
    const result = await execute(planOf({ promote: { kind: 'reference', path: 'acme/builds', reference: 'candidate' } }), w.deps);
    expect(result).toMatchObject({ digest, pushed: true });
    expect(w.registry.count('mountBlob')).toBe(source.blobs.length);
    expect(w.registry.count('openBlob', { repo: 'acme/builds' })).toBe(source.blobs.length);
    expect(w.registry.uploadedBytes).toBe(source.blobs.reduce((n, b) => n + b.length, 0));
    for (const blob of source.blobs) expect(w.registry.hasBlob(REPO, sha256Digest(blob))).toBe(true);
    expect(w.registry.tagsOf(REPO)).toEqual({ '1.2.3': digest, latest: digest });
    expect(log.text()).toMatch(
      new RegExp(`::notice::ghcr\\.io refused to mount ${source.blobs.length} blob\\(s\\) from ghcr\\.io/acme/builds into acme/widget`),
    );
  });

  it('a multi-platform index with attestations is promoted with all its children', async () => {
    const w = makeWorld();
    const source = withAttestations([
      { image: image('amd64', 'linux/amd64'), platform: 'linux/amd64' },
      { image: image('arm64', 'linux/arm64'), platform: 'linux/arm64' },
    ]);
    const digest = w.registry.seed('acme/builds', source);
    await execute(planOf({ promote: { kind: 'reference', path: 'acme/builds', reference: digest } }), w.deps);
    expect(w.registry.json<{ manifests: unknown[] }>(REPO, '1.2.3').manifests).toHaveLength(4);
    for (const child of source.children) expect(w.registry.hasManifest(REPO, child.digest)).toBe(true);
    expect(w.registry.uploadedBytes).toBe(0);
  });

  it('a missing source fails at once, naming the reference and the sha- tag that usually makes it', async () => {
    const w = makeWorld();
    const e = await failure(execute(planOf(fromCommit), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain(`Input 'promote': the registry holds no image at ghcr.io/acme/widget:${SHA_TAG}`);
    expect(e.message).toContain('sha-<7 hex>');
    expect(w.registry.writes()).toEqual([]);
  });

  it('a full version held on another digest fails before anything is pushed, naming both digests', async () => {
    const w = makeWorld();
    const digest = w.registry.seed(REPO, image('tested'), SHA_TAG);
    const held = w.registry.seed(REPO, image('released before'), '1.2.3');
    const before = w.registry.snapshot();
    const e = await failure(execute(planOf({ ...fromCommit, pruneUntagged: 0 }), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain(`ghcr.io/acme/widget:1.2.3 already holds ${held}, and this run would publish ${digest}`);
    expect(w.registry.snapshot()).toBe(before);
    expect(w.prunes).toEqual([]);
  });

  it('a full version held on the same digest: already published, nothing pushed', async () => {
    const w = makeWorld();
    const digest = w.registry.seed(REPO, image('tested'), SHA_TAG);
    w.registry.seed(REPO, image('tested'), '1.2.3');
    w.registry.seed(REPO, image('tested'), 'latest');
    const before = w.registry.snapshot();
    const result = await execute(planOf(fromCommit), w.deps);
    expect(result).toMatchObject({ digest, alreadyPublished: true, pushed: false });
    expect(w.registry.snapshot()).toBe(before);
    expect(w.registry.count('mountBlob') + w.registry.count('uploadBlob')).toBe(0);
  });

  it('a re-run after a publish that set 1.2.3 but not latest sets latest', async () => {
    // Moving tags always move; setTags tells the user a re-run is safe after a partial failure.
    const w = makeWorld();
    const digest = w.registry.seed(REPO, image('tested'), SHA_TAG);
    w.registry.seed(REPO, image('tested'), '1.2.3');
    w.registry.seed(REPO, image('the previous release'), 'latest');
    const result = await execute(planOf(fromCommit), w.deps);
    expect(result).toMatchObject({ digest, alreadyPublished: true });
    expect(w.registry.tagged(REPO, 'latest')).toBe(digest);
  });

  it('a publisher that sets 1.2.3 after the check is not overwritten', async () => {
    const w = makeWorld();
    w.registry.seed(REPO, image('tested'), SHA_TAG);
    const racer = image('the racing publish');
    let checked = false;
    w.registry.after((call) => {
      if (call.method === 'findManifest' && call.reference === '1.2.3' && !checked) {
        checked = true;
        w.registry.seed(REPO, racer, '1.2.3');
      }
    });
    const e = await failure(execute(planOf(fromCommit), w.deps));
    expect(e.message).toContain(`Not set: 1.2.3 (it was set to ${racer.top.digest} meanwhile`);
    expect(w.registry.tagged(REPO, '1.2.3')).toBe(racer.top.digest);
  });
});
