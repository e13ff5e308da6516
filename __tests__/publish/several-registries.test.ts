import { describe, expect, it } from '@jest/globals';
import { PLAIN_DOCKER } from '../../__fixtures__/fake-docker.js';
import { ociImage, withAttestations } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, FakeHandoff, makeWorld, planOf, type World } from '../../__fixtures__/run-world.js';
import { context } from '../../__fixtures__/settings.js';
import { ActionError } from '../../src/runner/errors.js';
import { execute } from '../../src/publish/execute.js';
import { HUB, QUAY } from '../../__fixtures__/other-registries.js';
import type { Settings } from '../../src/settings/settings.js';

const REPO = 'acme/widget';
const everywhere = (over: Partial<Settings> = {}) => planOf({ alsoPushTo: [HUB, QUAY], ...over });
const REVISION = 'org.opencontainers.image.revision';

/** The three registries' tags of the image, by image name. */
function tagsEverywhere(w: World): Record<string, Record<string, string>> {
  return {
    'ghcr.io/acme/widget': w.registry.tagsOf(REPO),
    [HUB.imageName]: w.other('docker.io').tagsOf(HUB.path),
    [QUAY.imageName]: w.other('quay.io').tagsOf(QUAY.path),
  };
}
const same = (digest: string, tags = ['1.2.3', 'latest']) => Object.fromEntries(tags.map((t) => [t, digest]));

const log = capturedRuns();

describe('a build with also-push-to', () => {
  it('is built once and published to every registry: the same digest under the same tags, each read back', async () => {
    const w = makeWorld();
    const plan = everywhere();
    const result = await execute(plan, w.deps);
    const digest = w.docker.builds[0].digest;

    expect(w.docker.count('build')).toBe(1);
    expect(tagsEverywhere(w)).toEqual({
      'ghcr.io/acme/widget': same(digest),
      [HUB.imageName]: same(digest),
      [QUAY.imageName]: same(digest),
    });
    // Each registry's layers were uploaded from the build's layout, each read back under every tag.
    for (const [registry, path] of [[w.other('docker.io'), HUB.path] as const, [w.other('quay.io'), QUAY.path] as const]) {
      expect(registry.count('uploadBlob', { repo: path })).toBe(2);
      expect(registry.callsOf('manifest').map((c) => c.reference)).toEqual(expect.arrayContaining(['1.2.3', 'latest']));
    }
    expect(result).toMatchObject({ digest, pushed: true, tokenSource: 'github-token' });
    expect(result.references).toEqual([
      ...plan.references,
      'docker.io/acmebot/widget:1.2.3',
      'docker.io/acmebot/widget:latest',
      'quay.io/acme/tools/widget:1.2.3',
      'quay.io/acme/tools/widget:latest',
    ]);
    expect(result.registries).toEqual([
      { imageName: 'ghcr.io/acme/widget', state: 'pushed', pusher: 'token (GITHUB_TOKEN) as octocat' },
      { imageName: HUB.imageName, state: 'pushed', pusher: 'acmebot (password from DOCKERHUB_TOKEN)' },
      { imageName: QUAY.imageName, state: 'pushed', pusher: 'acme+robot (password from QUAY_PASSWORD)' },
    ]);
  });

  it("gives each password to its own registry's client only, and logs the engine in to the main registry only", async () => {
    const w = makeWorld();
    await execute(everywhere(), w.deps);
    expect(w.otherLogins.sort()).toEqual(['docker.io acmebot:dckr_pat_hub', 'quay.io acme+robot:quay-secret']);
    expect(w.docker.calls.filter((c) => c.method === 'login').map((c) => c.subject)).toEqual(['octocat@ghcr.io']);
  });

  it('checks every login before building: a refusal names the image and the variable, and nothing is built or pushed', async () => {
    const w = makeWorld();
    w.other('quay.io').refusePush('all');
    const e = await failure(execute(everywhere(), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain("Input 'also-push-to': An other registry refuses the push check; nothing was built or pushed");
    expect(e.message).toContain('quay.io/acme/tools/widget as acme+robot (password from QUAY_PASSWORD): starting an upload: HTTP 403');
    expect(e.message).not.toContain('docker.io/acmebot/widget as');
    expect(w.docker.count('build')).toBe(0);
    expect([w.registry, w.other('docker.io'), w.other('quay.io')].flatMap((r) => r.writes())).toEqual([]);
  });

  it('a registry that fails after the others succeeded fails the step, naming who holds what; a re-run completes it', async () => {
    const w = makeWorld();
    const hub = w.other('docker.io');
    hub.fail({ method: 'uploadBlob' });
    const e = await failure(execute(everywhere({ pruneUntagged: 0 }), w.deps));
    const digest = w.docker.builds[0].digest;
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain(`${digest} was published to 2 of 3 registries.`);
    expect(e.message).toContain(
      `ghcr.io/acme/widget holds ${digest} under 1.2.3, latest; quay.io/acme/tools/widget holds ${digest} under 1.2.3, latest.`,
    );
    expect(e.message).toMatch(
      /Not published \(or not under every tag\):\n- docker\.io\/acmebot\/widget: Pushing the image to docker\.io\/acmebot\/widget failed: .*HTTP 503/,
    );
    expect(hub.tagsOf(HUB.path)).toEqual({});
    expect(e.message).toContain('a re-run of the same commit completes the registries that lack the image');
    expect(w.prunes).toEqual([]);

    // The re-run of the same commit: the same digest built, the main registry and Quay already hold it.
    const again = makeWorld({ registry: w.registry, others: w.others });
    const uploads = [w.registry.count('uploadBlob'), w.other('quay.io').count('uploadBlob')];
    const result = await execute(everywhere(), again.deps);
    expect(again.docker.builds[0].digest).toBe(digest);
    expect(tagsEverywhere(again)[HUB.imageName]).toEqual(same(digest));
    // Only the registry that lacked it got the layers.
    expect([w.registry.count('uploadBlob'), w.other('quay.io').count('uploadBlob')]).toEqual(uploads);
    expect(result.registries.map((r) => r.state)).toEqual(['already published', 'pushed', 'already published']);
    expect(result).toMatchObject({ pushed: true, alreadyPublished: false, digest });
  });

  it('immutable-tags holds on every registry: a full version held elsewhere from another commit fails before the build', async () => {
    const w = makeWorld();
    const held = w
      .other('docker.io')
      .seed(HUB.path, ociImage({ platform: 'linux/amd64', labels: { [REVISION]: 'f'.repeat(40) }, content: 'old' }), '1.2.3');
    const e = await failure(execute(everywhere(), w.deps));
    expect(e.message).toContain(
      `Input 'immutable-tags': docker.io/acmebot/widget:1.2.3 already holds ${held}, built from commit ${'f'.repeat(40)}`,
    );
    expect(w.docker.count('build')).toBe(0);
    expect(w.registry.writes()).toEqual([]);
  });

  it('the engine pushes to the main registry only (a moving tag); the other registries get the layers streamed from there', async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    const result = await execute(everywhere(), w.deps);
    expect(w.docker.calls.filter((c) => c.method === 'push').map((c) => c.subject)).toEqual(['ghcr.io/acme/widget:latest']);
    expect(w.registry.count('openBlob', { repo: REPO })).toBe(4);
    expect(w.other('docker.io').count('uploadBlob')).toBe(2);
    expect(tagsEverywhere(w)[QUAY.imageName]).toEqual(same(result.digest));
  });

  it('runs the after-publish hook once per registry, with its digest, once the tags are read back', async () => {
    const w = makeWorld();
    const seen: string[] = [];
    w.deps.afterPublish = async (_plan, d) => void seen.push(`${d.dest.imageName} ${d.digest} ${d.dest.client.host}`);
    const result = await execute(everywhere(), w.deps);
    expect(seen).toEqual([
      `ghcr.io/acme/widget ${result.digest} ghcr.io`,
      `${HUB.imageName} ${result.digest} docker.io`,
      `${QUAY.imageName} ${result.digest} quay.io`,
    ]);
  });

  it('on a read-only run builds, asks no registry anything, and pushes nowhere', async () => {
    const w = makeWorld({ ctx: { ...context, readOnlyToken: true } });
    const result = await execute(planOf({ alsoPushTo: [{ ...HUB, password: '' }] }, w.deps.ctx), w.deps);
    expect(w.docker.count('build')).toBe(1);
    expect(w.others.size).toBe(0);
    expect(result.references).toEqual(planOf({}, w.deps.ctx).references);
  });
});

describe('a promote with also-push-to', () => {
  it('copies the held image to every other registry, registry to registry, the digest unchanged', async () => {
    const w = makeWorld();
    const source = withAttestations([{ image: ociImage({ platform: 'linux/amd64', content: 'tested' }), platform: 'linux/amd64' }]);
    const digest = w.registry.seed('acme/builds', source, 'candidate');
    const result = await execute(everywhere({ promote: { kind: 'reference', path: 'acme/builds', reference: 'candidate' } }), w.deps);
    expect(result.digest).toBe(digest);
    expect(w.docker.calls).toEqual([]);
    expect(tagsEverywhere(w)).toEqual({
      'ghcr.io/acme/widget': same(digest),
      [HUB.imageName]: same(digest),
      [QUAY.imageName]: same(digest),
    });
    // Mounted within the main registry, streamed from it to the others.
    expect(w.registry.count('mountBlob')).toBe(source.blobs.length);
    expect(w.registry.count('openBlob', { repo: 'acme/builds' })).toBe(2 * source.blobs.length);
    for (const child of source.children) expect(w.other('docker.io').hasManifest(HUB.path, child.digest)).toBe(true);
  });
});

describe('a merge with also-push-to', () => {
  it('publishes the index on the main registry by its tags and copies it, with its platform images, to the others', async () => {
    const handoff = new FakeHandoff();
    const w = makeWorld({ handoff });
    for (const p of ['linux/amd64', 'linux/arm64']) handoff.held.set(p, w.registry.seed(REPO, ociImage({ platform: p, content: p })));
    const result = await execute(everywhere({ merge: ['linux/amd64', 'linux/arm64'] }), w.deps);
    expect(tagsEverywhere(w)).toEqual({
      'ghcr.io/acme/widget': same(result.digest),
      [HUB.imageName]: same(result.digest),
      [QUAY.imageName]: same(result.digest),
    });
    for (const digest of handoff.held.values()) expect(w.other('quay.io').hasManifest(QUAY.path, digest)).toBe(true);
  });
});

describe('a dry run with also-push-to', () => {
  it("checks each registry's login and held versions, lists every reference, writes nothing", async () => {
    const w = makeWorld();
    const result = await execute(everywhere({ dryRun: true }), w.deps);
    for (const r of [w.registry, w.other('docker.io'), w.other('quay.io')]) {
      expect(r.count('checkPush')).toBe(1);
      expect(r.writes()).toEqual([]);
    }
    expect(w.other('docker.io').count('findManifest', { reference: '1.2.3' })).toBe(1);
    expect(result.references).toHaveLength(6);
    expect(result.registries.map((r) => `${r.imageName}: ${r.state}`)).toEqual([
      'ghcr.io/acme/widget: may push',
      'docker.io/acmebot/widget: may push',
      'quay.io/acme/tools/widget: may push',
    ]);
    expect(log.text()).toContain('also pushed to: docker.io/acmebot/widget as acmebot (password from DOCKERHUB_TOKEN)');
  });
});
