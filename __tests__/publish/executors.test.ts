import { describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { CONTAINER, PLAIN_DOCKER } from '../../__fixtures__/fake-docker.js';
import { ociImage } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, makeWorld, planOf } from '../../__fixtures__/run-world.js';
import { context } from '../../__fixtures__/settings.js';
import { ActionError } from '../../src/runner/errors.js';
import { execute } from '../../src/publish/execute.js';

const REPO = 'acme/widget';
const REVISION = 'org.opencontainers.image.revision';
const OTHER_COMMIT = 'f'.repeat(40);
const byRef = (refs: (string | undefined)[]) => [...refs].sort();
/** An image another run published, built from `revision`. */
const published = (revision: string, content = 'an older build') =>
  ociImage({ platform: 'linux/amd64', labels: { [REVISION]: revision }, content });

const log = capturedRuns();

describe('a build with a capable builder', () => {
  it('checks the push first, logs in, builds once, pushes the layout once and sets every further tag with a manifest PUT', async () => {
    const w = makeWorld();
    const plan = planOf({ tags: ['1.2.3', '1.2', 'latest'] });
    const result = await execute(plan, w.deps);

    expect(w.docker.builds).toHaveLength(1);
    const { spec, digest } = w.docker.builds[0];
    const at = (entry: string) => w.journal.indexOf(entry);
    expect(w.journal[0]).toBe(`registry checkPush ${REPO}`);
    expect(at('docker login octocat@ghcr.io')).toBeGreaterThan(0);
    expect(at('docker build oci')).toBeGreaterThan(at('docker login octocat@ghcr.io'));
    expect(spec.output).toMatchObject({ kind: 'oci', rewriteTimestamps: true });
    expect(spec).toMatchObject({ epoch: plan.epoch, references: [] });
    expect(spec.labels[REVISION]).toBe(context.sha);

    expect(w.docker.count('push')).toBe(0);
    expect(w.registry.count('uploadBlob')).toBe(2);
    expect(w.registry.uploadedBytes).toBeGreaterThan(0);
    expect(byRef(w.registry.callsOf('putManifest').map((c) => c.reference))).toEqual(byRef([digest, '1.2.3', '1.2', 'latest']));
    expect(w.registry.tagsOf(REPO)).toEqual({ '1.2.3': digest, '1.2': digest, latest: digest });
    // The read-back: every tag read after it was set.
    expect(byRef(w.registry.callsOf('manifest').map((c) => c.reference))).toEqual(byRef(['1.2.3', '1.2', 'latest']));
    expect(w.journal.indexOf(`registry manifest ${REPO}:latest`)).toBeGreaterThan(w.journal.indexOf(`registry putManifest ${REPO}:latest`));

    expect(result).toMatchObject({
      digest,
      pushed: true,
      references: plan.references,
      tokenSource: 'github-token',
      credential: 'token (GITHUB_TOKEN) as octocat',
      packageUrl: 'https://github.com/orgs/acme/packages/container/package/widget',
    });
    expect(result.alreadyPublished).toBeFalsy();
    expect(w.state).toEqual(expect.arrayContaining(['loggedIn', `buildDir ${w.buildDirs[0]}`]));
  });

  it("fails before pushing anything when a layer is over the registry's limit, naming its size and the limit", async () => {
    const w = makeWorld();
    Object.assign(w.registry.limits, { layerBytes: 10 });
    const error = await failure(execute(planOf({ tags: ['1.2.3'] }), w.deps));
    expect(error.message).toMatch(
      /the layer sha256:[0-9a-f]{64} is 0\.00 GB, and ghcr\.io takes at most 0\.00 GB a layer\. Nothing was pushed\./,
    );
    expect((error as ActionError).fix).toMatch(/several COPY or RUN steps/);
    expect(w.registry.writes()).toEqual([]);
  });

  it('with reproducible: false, the engine pushes a moving tag it loaded and every tag is set and read back; nothing is uploaded', async () => {
    const w = makeWorld();
    const plan = planOf({ tags: ['1.2.3', 'latest'], reproducible: false });
    const result = await execute(plan, w.deps);
    const moving = plan.references[1];
    expect(w.docker.builds[0].spec).toMatchObject({ references: [moving], output: { kind: 'load' } });
    expect(w.docker.calls.filter((c) => c.method === 'push').map((c) => c.subject)).toEqual([moving]);
    expect(w.registry.count('uploadBlob')).toBe(0);
    expect(w.registry.tagsOf(REPO)).toEqual({ '1.2.3': result.digest, latest: result.digest });
    expect(byRef(w.registry.callsOf('manifest').map((c) => c.reference))).toEqual(byRef([result.digest, '1.2.3', 'latest']));
  });

  it('with reproducible: false, a layer over the limit before compression is measured compressed in a layout, before any push', async () => {
    const w = makeWorld();
    Object.assign(w.registry.limits, { layerBytes: 10 });
    const error = await failure(execute(planOf({ tags: ['main'], reproducible: false }), w.deps));
    expect(w.docker.builds.map((b) => b.spec.output.kind)).toEqual(['load', 'oci']);
    expect(error.message).toMatch(/takes at most 0\.00 GB a layer\. Nothing was pushed\./);
    expect(w.docker.count('push')).toBe(0);
    expect(w.registry.writes()).toEqual([]);
  });

  it('finds a credential that cannot push before it logs in or builds', async () => {
    const w = makeWorld();
    w.registry.refusePush('all');
    const e = await failure(execute(planOf(), w.deps));
    expect(e.message).toContain('No credential may push to ghcr.io/acme/widget');
    expect(e.message).toContain('403');
    expect(w.docker.count('login') + w.docker.count('build')).toBe(0);
    expect(w.registry.writes()).toEqual([]);
  });

  it('falls back to the PAT when the registry refuses GITHUB_TOKEN, and pushes with it', async () => {
    const w = makeWorld();
    w.registry.refusePush('github-token');
    const result = await execute(planOf({ pat: 'ghp_robot', patUsername: 'robot' }), w.deps);
    expect(result.tokenSource).toBe('pat');
    expect(w.docker.calls.filter((c) => c.method === 'login').map((c) => c.subject)).toEqual(['robot@ghcr.io']);
    expect(new Set(w.registry.writes().map((c) => c.who))).toEqual(new Set(['pat']));
  });

  it('on a read-only run builds, pushes nothing, and says why in a notice', async () => {
    const w = makeWorld({ ctx: { ...context, readOnlyToken: true } });
    const result = await execute(planOf({}, w.deps.ctx), w.deps);
    expect(w.docker.count('build')).toBe(1);
    expect(w.docker.count('push') + w.docker.count('login')).toBe(0);
    expect(w.registry.calls).toEqual([]);
    expect(result).toMatchObject({ pushed: false, digest: '' });
    expect(result.skipReason).toContain('read-only');
    expect(log.text()).toMatch(/::notice::Not pushed: .*read-only.*The image is built only\./);
  });

  it("on a read-only run tags the built image with the run's references, as push: false does", async () => {
    // The tags output lists these references as built; a later step of the job may run them.
    const w = makeWorld({ ctx: { ...context, readOnlyToken: true } });
    const plan = planOf({}, w.deps.ctx);
    await execute(plan, w.deps);
    expect(w.docker.builds[0].spec.references).toEqual(plan.references);
  });

  it('on a read-only run keeps several platforms in the build cache on a docker-container builder, as push: false does', async () => {
    // `--load` of several platforms fails on such a builder: a fork's pull request must build, not fail.
    const w = makeWorld({ ctx: { ...context, readOnlyToken: true }, builder: CONTAINER });
    await execute(planOf({ platforms: ['linux/amd64', 'linux/arm64'] }, w.deps.ctx), w.deps);
    expect(w.docker.builds[0].spec.output.kind).toBe('none');
  });

  it('with push: false builds and tags in the engine only: no push check, no registry call', async () => {
    const w = makeWorld();
    const plan = planOf({ push: false });
    const result = await execute(plan, w.deps);
    expect(w.docker.builds.map((b) => b.spec.output.kind)).toEqual(['load']);
    expect(w.docker.builds[0].spec.references).toEqual(plan.references);
    expect(w.docker.count('push')).toBe(0);
    expect(w.registry.calls).toEqual([]);
    expect(result).toMatchObject({ pushed: false, digest: '', references: plan.references });
  });
});

describe('a build of several platforms', () => {
  it('pushes one index with the linking annotations and its platform images, blobs once each', async () => {
    const w = makeWorld({ cacheService: true });
    const plan = planOf({ platforms: ['linux/amd64', 'linux/arm64'], description: 'A widget', secrets: [{ id: 'npm', value: 's3cret' }] });
    const result = await execute(plan, w.deps);
    const index = w.registry.json<{ manifests: { digest: string }[]; annotations: Record<string, string> }>(REPO, '1.2.3');
    expect(index.annotations).toEqual(plan.annotations);
    expect(index.manifests).toHaveLength(2);
    for (const m of index.manifests) expect(w.registry.hasManifest(REPO, m.digest)).toBe(true);
    expect(w.registry.count('uploadBlob')).toBe(4);
    expect(result.digest).toBe(w.docker.builds[0].digest);
    // The cache is restored before and saved after the build; the secrets' directory is told to the post step.
    expect(w.cacheCalls).toEqual(['restore', 'save']);
    expect(w.docker.builds[0].spec.secretFiles.map((f) => f.id)).toEqual(['npm']);
    expect(w.state.some((s) => s.startsWith('secretsDir '))).toBe(true);
  });
});

describe('the build cache of a large image', () => {
  it('is saved after the push, once the layout is gone: never three copies of the image on disk', async () => {
    const w = makeWorld({ cacheService: true });
    await execute(planOf({}), w.deps);
    const at = (entry: string) => w.journal.indexOf(entry);
    expect(at('cache save')).toBeGreaterThan(at('remove the build dir'));
    const lastPut = Math.max(...w.journal.map((e, i) => (e.startsWith('registry putManifest') ? i : -1)));
    expect(at('remove the build dir')).toBeGreaterThan(lastPut);
    expect(w.removedBuildDirs).toEqual(w.buildDirs);
  });

  it('after a failed build too, the layout is gone at once', async () => {
    const w = makeWorld({ cacheService: true });
    jest.spyOn(w.docker, 'build').mockRejectedValue(new Error('no space left on device'));
    await expect(execute(planOf({}), w.deps)).rejects.toThrow('no space left on device');
    expect(w.buildDirs).toHaveLength(1);
    expect(w.removedBuildDirs).toEqual(w.buildDirs);
    expect(existsSync(w.buildDirs[0])).toBe(false);
  });

  it('is saved when the push fails too, for the re-run', async () => {
    const w = makeWorld({ cacheService: true });
    w.registry.fail({ method: 'putManifest' }, undefined, 10);
    await expect(execute(planOf({}), w.deps)).rejects.toThrow();
    expect(w.cacheCalls).toEqual(['restore', 'save']);
    expect(w.removedBuildDirs).toEqual(w.buildDirs);
  });
});

describe('a build the engine pushes (docker driver without the containerd store, no cache service)', () => {
  it('pushes ONE reference through docker, a moving tag (never a full version), and PUTs the other tags', async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    const plan = planOf({ tags: ['1.2.3', '1.2', 'latest'] });
    const result = await execute(plan, w.deps);
    expect(w.docker.builds[0].spec).toMatchObject({ output: { kind: 'load' }, references: [plan.references[1]] });
    expect(w.docker.calls.filter((c) => c.method === 'push').map((c) => c.subject)).toEqual(['ghcr.io/acme/widget:1.2']);
    expect(w.registry.count('uploadBlob')).toBe(0);
    const digest = w.docker.builds[0].digest;
    expect(w.registry.callsOf('putManifest').map((c) => c.reference)).toEqual(expect.arrayContaining(['1.2.3', 'latest']));
    expect(w.registry.tagsOf(REPO)).toEqual({ '1.2.3': digest, '1.2': digest, latest: digest });
    expect(result).toMatchObject({ digest, pushed: true });
  });

  it('a read-back of what docker pushed that fails is an ActionError saying so', async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    w.registry.fail({ method: 'manifest' });
    const e = await failure(execute(planOf(), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain(
      `docker push reported ${w.docker.builds[0].digest} for ghcr.io/acme/widget:latest, but reading it back from ghcr.io failed`,
    );
    expect(w.prunes).toEqual([]);
  });
});

describe('immutable tags in a build', () => {
  it('a full version held on another digest from another commit fails before the build', async () => {
    const w = makeWorld();
    const held = w.registry.seed(REPO, published(OTHER_COMMIT), '1.2.3');
    const before = w.registry.snapshot();
    const e = await failure(execute(planOf({ pruneUntagged: 0 }), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain(
      `Input 'immutable-tags': ghcr.io/acme/widget:1.2.3 already holds ${held}, built from commit ${OTHER_COMMIT}`,
    );
    expect(w.docker.count('build')).toBe(0);
    expect(w.registry.snapshot()).toBe(before);
    expect(w.prunes).toEqual([]);
  });

  it('held from the same commit with the same digest: already published, nothing pushed, success', async () => {
    const first = makeWorld();
    await execute(planOf(), first.deps);
    const since = first.registry.calls.length;
    const before = first.registry.snapshot();
    const again = makeWorld({ registry: first.registry });
    const result = await execute(planOf({ pruneUntagged: 0 }), again.deps);
    const digest = first.docker.builds[0].digest;
    expect(again.docker.builds[0].digest).toBe(digest);
    expect(result).toMatchObject({ digest, alreadyPublished: true, pushed: false });
    expect(again.registry.snapshot()).toBe(before);
    expect(again.registry.writes(since).filter((c) => c.method !== 'putManifest')).toEqual([]);
    expect(log.text()).toContain(`Already published: 1.2.3 already hold ${digest}`);
    expect(again.prunes).toEqual([{ keep: [digest], dryRun: false, who: 'github-token' }]);
  });

  it('held from the same commit with another digest: fails before pushing, naming both digests', async () => {
    const w = makeWorld();
    const held = w.registry.seed(REPO, published(context.sha, 'a build of the same commit that differs'), '1.2.3');
    const before = w.registry.snapshot();
    const e = await failure(execute(planOf(), w.deps));
    expect(w.docker.count('build')).toBe(1);
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain(`ghcr.io/acme/widget:1.2.3 already holds ${held}, and this run would publish ${w.docker.builds[0].digest}`);
    expect(w.registry.snapshot()).toBe(before);
  });

  it('moving tags move', async () => {
    const w = makeWorld();
    w.registry.seed(REPO, published(OTHER_COMMIT), '1.2');
    w.registry.seed(REPO, published(OTHER_COMMIT), 'latest');
    await execute(planOf({ tags: ['1.2.3', '1.2', 'latest'] }), w.deps);
    const digest = w.docker.builds[0].digest;
    expect(w.registry.tagsOf(REPO)).toEqual({ '1.2.3': digest, '1.2': digest, latest: digest });
  });

  it('immutable-tags: false moves a full version too', async () => {
    const w = makeWorld();
    w.registry.seed(REPO, published(OTHER_COMMIT), '1.2.3');
    await execute(planOf({ immutableTags: false }), w.deps);
    expect(w.registry.tagged(REPO, '1.2.3')).toBe(w.docker.builds[0].digest);
  });

  it('a publisher that sets 1.2.3 between the check and the PUT is not overwritten', async () => {
    const w = makeWorld();
    const racer = published(OTHER_COMMIT, 'the racing build');
    w.docker.onBuild = () => void w.registry.seed(REPO, racer, '1.2.3');
    const e = await failure(execute(planOf(), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toMatch(new RegExp(`Not set: 1\\.2\\.3 \\(it was set to ${racer.top.digest} meanwhile`));
    expect(w.registry.tagged(REPO, '1.2.3')).toBe(racer.top.digest);
  });
});

describe('prune', () => {
  it('runs after a successful publish, keeping the published digest', async () => {
    const w = makeWorld();
    const result = await execute(planOf({ pruneUntagged: 0 }), w.deps);
    expect(w.prunes).toEqual([{ keep: [result.digest], dryRun: false, who: 'github-token' }]);
  });

  it('never runs when nothing is published (push: false)', async () => {
    const w = makeWorld();
    await execute(planOf({ push: false, pruneUntagged: 0 }), w.deps);
    expect(w.prunes).toEqual([]);
  });
});
