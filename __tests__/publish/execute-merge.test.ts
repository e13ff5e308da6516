import { describe, expect, it } from '@jest/globals';
import { PLAIN_DOCKER } from '../../__fixtures__/fake-docker.js';
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js';
import { ociImage, platformParts, withAttestations } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, FakeHandoff, makeWorld, planOf } from '../../__fixtures__/run-world.js';
import { ActionError } from '../../src/runner/errors.js';
import { execute } from '../../src/publish/execute.js';
import type { Descriptor } from '../../src/registry/manifest-tree.js';
import { BY_DIGEST_ANNOTATION } from '../../src/github/prune-keep.js';
import type { Settings } from '../../src/settings/settings.js';

const REPO = 'acme/widget';
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const merging: Partial<Settings> = { merge: PLATFORMS, description: 'A widget', licenses: 'MIT' };
const platformImage = (platform: string) =>
  ociImage({ platform, content: `${platform} build`, annotations: { [BY_DIGEST_ANNOTATION]: 'true' } });
interface IndexJson {
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** A registry holding each platform's image by digest only, and a handoff that names them. */
function platformJobsDone(platforms: string[], image = platformImage) {
  const registry = new MemoryRegistry();
  const handoff = new FakeHandoff();
  const digests = platforms.map((p) => {
    const digest = registry.seed(REPO, image(p));
    handoff.held.set(p, digest);
    return digest;
  });
  return { world: makeWorld({ registry, handoff }), digests };
}

capturedRuns();

describe('merge', () => {
  it('publishes one index of exactly the platform images, with the linking annotations, under every tag, verified', async () => {
    const { world: w, digests } = platformJobsDone(PLATFORMS);
    const plan = planOf(merging);
    const result = await execute(plan, w.deps);

    const index = w.registry.json<IndexJson>(REPO, '1.2.3');
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => [m.digest, m.platform])).toEqual(PLATFORMS.map((p, i) => [digests[i], platformParts(p)]));
    expect(index.annotations).toEqual({
      'org.opencontainers.image.source': 'https://github.com/Acme/Widget',
      'org.opencontainers.image.description': 'A widget',
      'org.opencontainers.image.licenses': 'MIT',
    });
    expect(w.registry.tagsOf(REPO)).toEqual({ '1.2.3': result.digest, latest: result.digest });
    expect(w.registry.callsOf('manifest').map((c) => c.reference)).toEqual(expect.arrayContaining(['1.2.3', 'latest']));
    expect(w.docker.calls).toEqual([]);
    expect(w.registry.count('uploadBlob') + w.registry.count('mountBlob')).toBe(0);
    expect(result).toMatchObject({ pushed: true, references: plan.references, tokenSource: 'github-token' });
  });

  it('takes linux/arm64/v8 for linux/arm64, and a platform image with attestations as its entries', async () => {
    const image = (p: string) =>
      p === 'linux/arm64'
        ? ociImage({ platform: 'linux/arm64/v8', content: 'v8' })
        : withAttestations([{ image: platformImage(p), platform: p }]);
    const { world: w } = platformJobsDone(PLATFORMS, image);
    await execute(planOf(merging), w.deps);
    const platforms = w.registry
      .json<IndexJson>(REPO, 'latest')
      .manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}${m.platform?.variant ? `/${m.platform.variant}` : ''}`);
    expect(platforms).toEqual(['linux/amd64', 'unknown/unknown', 'linux/arm64/v8']);
  });

  it('a platform with no image fails, naming it, before anything is set', async () => {
    const { world: w } = platformJobsDone(['linux/amd64']);
    const e = await failure(execute(planOf(merging), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain("Input 'merge': no image of linux/arm64 was pushed for ghcr.io/acme/widget");
    expect(w.registry.writes()).toEqual([]);
  });

  it('a platform image whose config says another platform fails, naming both', async () => {
    const { world: w, digests } = platformJobsDone(PLATFORMS);
    w.handoff.held.set('linux/arm64', digests[0]);
    const e = await failure(execute(planOf(merging), w.deps));
    expect(e.message).toContain(`the image handed over for linux/arm64 (${digests[0]}) is a linux/amd64 image`);
    expect(w.registry.writes()).toEqual([]);
  });

  it('without the Actions cache service fails naming merge', async () => {
    const { world: w } = platformJobsDone(PLATFORMS);
    w.handoff.service = false;
    const e = await failure(execute(planOf(merging), w.deps));
    expect(e.message).toContain("Input 'merge': this runner offers no Actions cache service");
  });

  it('a full version held on another digest fails before the index is set', async () => {
    const { world: w } = platformJobsDone(PLATFORMS);
    const held = w.registry.seed(REPO, ociImage({ platform: 'linux/amd64', content: 'released before' }), '1.2.3');
    const e = await failure(execute(planOf(merging), w.deps));
    expect(e.message).toContain(`Input 'immutable-tags': ghcr.io/acme/widget:1.2.3 already holds ${held}`);
    expect(w.registry.tagged(REPO, 'latest')).toBeUndefined();
  });
});

describe('a platform job (push: by-digest)', () => {
  const platformJob = (platform: string): Partial<Settings> => ({ byDigest: true, platforms: [platform] });

  it('pushes the image by digest only, hands it over, and reports image@digest', async () => {
    const w = makeWorld();
    const result = await execute(planOf(platformJob('linux/arm64')), w.deps);
    const { digest, spec } = w.docker.builds[0];
    expect(spec.platforms).toEqual(['linux/arm64']);
    expect(w.registry.tagsOf(REPO)).toEqual({});
    expect(w.registry.hasManifest(REPO, digest)).toBe(true);
    const manifest = w.registry.json<{ config: Descriptor; annotations?: Record<string, string> }>(REPO, digest);
    expect(manifest.annotations?.[BY_DIGEST_ANNOTATION]).toBe('true');
    expect(w.registry.blobJson(REPO, manifest.config.digest)).toMatchObject({ os: 'linux', architecture: 'arm64' });
    expect(w.registry.callsOf('manifest').map((c) => c.reference)).toEqual([digest]);
    expect(w.handoff.saved).toEqual([['linux/arm64', digest]]);
    expect(result).toMatchObject({ digest, pushed: true, references: [`ghcr.io/acme/widget@${digest}`] });
  });

  it('then the merge job gathers exactly what the platform jobs pushed', async () => {
    const registry = new MemoryRegistry();
    const handoff = new FakeHandoff();
    const pushed: string[] = [];
    for (const p of PLATFORMS) pushed.push((await execute(planOf(platformJob(p)), makeWorld({ registry, handoff }).deps)).digest);
    expect(registry.tagsOf(REPO)).toEqual({});
    const merged = await execute(planOf(merging), makeWorld({ registry, handoff }).deps);
    expect(registry.json<IndexJson>(REPO, '1.2.3').manifests.map((m) => m.digest)).toEqual(pushed);
    expect(registry.tagsOf(REPO)).toEqual({ '1.2.3': merged.digest, latest: merged.digest });
  });

  it('a builder that cannot push without a tag gets a builder of the run and still pushes an OCI layout', async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    await execute(planOf(platformJob('linux/arm64')), w.deps);
    expect(w.docker.count('createBuilder')).toBe(1);
    expect(w.docker.builds[0].spec.output.kind).toBe('oci');
    expect(w.docker.count('push')).toBe(0);
  });

  it('without the Actions cache service fails naming push', async () => {
    const w = makeWorld({ handoff: new FakeHandoff(false) });
    const e = await failure(execute(planOf(platformJob('linux/arm64')), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain("Input 'push':");
    expect(e.message).toContain('no Actions cache service');
  });

  it.each([
    ['a read-only cache token (cache write denied)', (h: FakeHandoff) => void (h.writable = false), 'cache write denied'],
    ['ACTIONS_CACHE_MODE=read', (h: FakeHandoff) => void (h.mode = 'read'), 'ACTIONS_CACHE_MODE=read'],
  ])('with %s, fails before building or pushing anything', async (_what, set, says) => {
    const w = makeWorld();
    set(w.handoff);
    const e = await failure(execute(planOf(platformJob('linux/arm64')), w.deps));
    expect(e.message).toContain(says);
    expect(w.docker.count('build')).toBe(0);
    expect(w.registry.writes()).toEqual([]);
  });

  it('without the Actions cache service fails before building or pushing anything', async () => {
    // Known before the build: an image pushed without a way to the merge job is an untagged version left behind.
    const w = makeWorld({ handoff: new FakeHandoff(false) });
    await failure(execute(planOf(platformJob('linux/arm64')), w.deps));
    expect(w.docker.count('build')).toBe(0);
    expect(w.registry.writes()).toEqual([]);
  });
});
