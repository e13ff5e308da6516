import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type FaultProxy, registryBehindProxy } from '../support/fault-proxy.js';
import { rawManifest } from '../support/inspect.js';
import { helloContext, pushEvent } from '../support/jobs.js';
import { built, failure, listTags, seen, uploadedBytes } from '../support/observe.js';
import { type TestRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// A release pipeline through the bundled action: a branch publish, then a tag run that promotes its
// image, and the guard on full version tags. Every step talks to the registry through a proxy that
// counts what was uploaded; the registry itself is read with skopeo.
const TOKEN = 'ghs_releaseTestToken00000001';
const CREDS = `octo-bot:${TOKEN}`;
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const SHA_B = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890';
let registry: TestRegistry;
let proxy: FaultProxy;
let HOST: string;

let stop: () => Promise<void>;
beforeAll(async () => {
  ({ registry, proxy, stop } = await registryBehindProxy({ 'octo-bot': TOKEN }));
  HOST = proxy.host;
  // As ghcr.io does: every blob read answers 307 to a signed URL on another origin, which refuses a credential.
  proxy.inject({ method: 'GET', path: /\/blobs\/sha256:[0-9a-f]{64}$/, fault: 'redirect', times: Infinity });
});
afterAll(() => stop());

const github = (ref: string, sha = SHA): GitHub => ({
  repository: 'Acme/Widget',
  actor: 'octo-bot',
  token: TOKEN,
  ref,
  sha,
});
const digestOf = async (image: string, tag: string) =>
  (await rawManifest(`${registry.host}/acme/${image}${tag.startsWith('sha256:') ? '@' : ':'}${tag}`, CREDS)).digest;
const RELEASE_TAGS = ['1.2.3', '1.2', '1', 'latest'];

/** A branch workflow's publish of the commit on a runner of its own: tags `main` and `sha-<7>`. */
async function branchPublish(image: string, inputs: Record<string, string> = {}, sha = SHA): Promise<StepResult> {
  const runner = new Runner();
  helloContext(runner.workspace, `${image} ${randomUUID()}\n`);
  const step = await runner.main(github('refs/heads/main', sha), {
    registry: HOST,
    image,
    ...inputs,
  });
  if (step.exitCode !== 0) throw new Error(`the branch publish failed:\n${step.stdout}\n${step.stderr}`);
  return step;
}

/** A tag workflow's step on a fresh runner (no checkout: a promote needs none); the proxy's requests from here on. */
async function tagRun(
  ref: string,
  inputs: Record<string, string>,
  sha = SHA,
): Promise<{ step: StepResult; post: StepResult; from: number }> {
  const runner = new Runner();
  const from = proxy.requests.length;
  const all = { registry: HOST, ...inputs };
  const step = await runner.main(github(ref, sha), all);
  const post = await runner.post(github(ref, sha), all, step.state);
  return { step, post, from };
}

/** Manifest PUTs the proxy passed on for `image` from request `from` on. */
const manifestPuts = (image: string, from: number) => seen(proxy, from).filter((r) => r.startsWith(`PUT /v2/acme/${image}/manifests/`));

describe.each([
  ['one platform', 'single', {}],
  ['two platforms', 'multi', { platforms: 'linux/amd64,linux/arm64' }],
])('promote: commit of %s', (_, image, buildInputs) => {
  let branch: StepResult;
  let promote: Awaited<ReturnType<typeof tagRun>>;
  beforeAll(async () => {
    branch = await branchPublish(image, buildInputs);
    promote = await tagRun('refs/tags/v1.2.3', { image, promote: 'commit' });
  });

  it('publishes the release tags on the digest the branch workflow pushed, unchanged', async () => {
    expect(failure(promote.step)).toBe('');
    expect(promote.step.exitCode).toBe(0);
    expect(await digestOf(image, 'sha-a1b2c3d')).toBe(branch.outputs.digest);
    for (const tag of RELEASE_TAGS) expect(await digestOf(image, tag)).toBe(branch.outputs.digest);
    expect(promote.step.outputs.digest).toBe(branch.outputs.digest);
    expect(promote.step.outputs.tags.split('\n')).toEqual(RELEASE_TAGS.map((t) => `${HOST}/acme/${image}:${t}`));
  });

  it('builds nothing, runs no docker command and uploads no layer: one manifest PUT per tag', () => {
    expect(built(promote.step)).toBe(false);
    expect([...promote.step.dockerCalls, ...promote.post.dockerCalls]).toEqual([]);
    expect(uploadedBytes(proxy, promote.from)).toBe(0);
    expect(manifestPuts(image, promote.from).sort()).toEqual(RELEASE_TAGS.map((t) => `PUT /v2/acme/${image}/manifests/${t}`).sort());
    expect(promote.post.exitCode).toBe(0);
  });

  it('says what it promoted, in the log and the summary', () => {
    expect(promote.step.stdout).toContain(`Promoting ${HOST}/acme/${image}:sha-a1b2c3d (${branch.outputs.digest})`);
    expect(promote.step.summary).toContain('Promoted');
    expect(promote.step.summary).toContain(branch.outputs.digest);
  });
});

describe('promote from another repository of the same registry', () => {
  let source: StepResult;
  let promote: Awaited<ReturnType<typeof tagRun>>;
  let index: { manifests: { digest: string }[] };
  beforeAll(async () => {
    source = await branchPublish('source', {
      platforms: 'linux/amd64,linux/arm64',
    });
    promote = await tagRun('refs/tags/v1.2.3', {
      image: 'released',
      promote: `${HOST}/acme/source:sha-a1b2c3d`,
    });
    index = (await rawManifest(`${registry.host}/acme/source@${source.outputs.digest}`, CREDS)).json as typeof index;
  });

  it('publishes the same index under the release tags of the other repository', async () => {
    expect(failure(promote.step)).toBe('');
    for (const tag of RELEASE_TAGS) expect(await digestOf('released', tag)).toBe(source.outputs.digest);
    expect(promote.step.outputs.digest).toBe(source.outputs.digest);
  });

  it('stores each platform manifest there by digest', async () => {
    expect(index.manifests).toHaveLength(2);
    for (const child of index.manifests) expect(await digestOf('released', child.digest)).toBe(child.digest);
  });

  it('mounts the layers from the source repository and uploads none', () => {
    const mounts = proxy.requests
      .slice(promote.from)
      .filter((r) => r.method === 'POST' && r.path.includes('mount=') && r.path.includes('from=acme%2Fsource'));
    expect(mounts.length).toBeGreaterThan(0);
    expect(mounts.every((m) => m.status === 201)).toBe(true);
    expect(uploadedBytes(proxy, promote.from)).toBe(0);
    expect(built(promote.step)).toBe(false);
  });
});

describe('a promote whose source does not exist', () => {
  it('fails in seconds, naming the reference and how it is made, and publishes nothing', async () => {
    await branchPublish('lonely');
    const { step } = await tagRun('refs/tags/v1.2.3', { image: 'lonely', promote: 'commit' }, SHA_B);
    expect(step.exitCode).toBe(1);
    expect(failure(step)).toContain(`${HOST}/acme/lonely:sha-b2c3d4e`);
    expect(failure(step)).toContain('sha-<7 hex>');
    // A missing manifest is an answer, not a fault: asked once, never retried.
    expect(step.stdout).not.toContain('retrying');
    expect(await listTags(`${registry.host}/acme/lonely`, CREDS)).toEqual(['main', 'sha-a1b2c3d']);
  });
});

describe('immutable-tags', () => {
  const T = '2026-03-01T12:00:00Z';
  const FIRST = 'release 3.0.0\n';
  let first: StepResult;
  const build = (ref: string, sha: string, content: string, inputs: Record<string, string> = {}) => {
    const runner = new Runner();
    helloContext(runner.workspace, content);
    const from = proxy.requests.length;
    return runner.main(github(ref, sha), { registry: HOST, image: 'immut', ...inputs }, pushEvent(sha, T)).then((step) => ({ step, from }));
  };
  const held = async () =>
    Object.fromEntries(await Promise.all(['3.0.0', '3.0', '3', 'latest'].map(async (t) => [t, await digestOf('immut', t)] as const)));
  beforeAll(async () => {
    first = (await build('refs/tags/v3.0.0', SHA, FIRST)).step;
    if (first.exitCode !== 0) throw new Error(`${first.stdout}\n${first.stderr}`);
  });

  it('refuses a full version held by an image of another commit before building, and changes nothing', async () => {
    const before = await held();
    const signed = proxy.signedUrls.requests.length;
    const { step, from } = await build('refs/tags/v3.0.0', SHA_B, 'another commit\n');
    // The held image's config (its commit) was read where the registry redirected, without the credential.
    const reads = proxy.signedUrls.requests.slice(signed);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.status === 200 && !r.authorization)).toBe(true);
    expect(step.exitCode).toBe(1);
    expect(built(step)).toBe(false);
    expect(failure(step)).toContain(`${HOST}/acme/immut:3.0.0 already holds ${first.outputs.digest}`);
    expect(failure(step)).toContain(SHA);
    expect(manifestPuts('immut', from)).toEqual([]);
    expect(await held()).toEqual(before);
  });

  it('finds the same commit rebuilt already published: it uploads nothing and leaves every tag where it was', async () => {
    const before = await held();
    const { step, from } = await build('refs/tags/v3.0.0', SHA, FIRST);
    expect(failure(step)).toBe('');
    expect(built(step)).toBe(true);
    expect(step.stdout).toContain('Already published');
    expect(step.outputs.digest).toBe(first.outputs.digest);
    expect(manifestPuts('immut', from)).not.toContain('PUT /v2/acme/immut/manifests/3.0.0');
    expect(uploadedBytes(proxy, from)).toBe(0);
    expect(await held()).toEqual(before);
  });

  // An image of its own: moving the tags would change what the other tests hold.
  it('moves the moving tags to a new version and leaves the old full version; a promote onto the held full version is refused, unless immutable-tags: false', async () => {
    const image = 'moving';
    const moved = (tag: string) => digestOf(image, tag);
    const old = (await build('refs/tags/v3.0.0', SHA, FIRST, { image })).step;
    expect(failure(old)).toBe('');
    const { step } = await build('refs/tags/v3.0.1', SHA_B, 'release 3.0.1\n', { image });
    expect(failure(step)).toBe('');
    expect(step.outputs.digest).not.toBe(old.outputs.digest);
    expect(
      Object.fromEntries(await Promise.all(['3.0.0', '3.0', '3', 'latest', '3.0.1'].map(async (t) => [t, await moved(t)] as const))),
    ).toEqual({
      '3.0.0': old.outputs.digest,
      '3.0': step.outputs.digest,
      '3': step.outputs.digest,
      latest: step.outputs.digest,
      '3.0.1': step.outputs.digest,
    });

    const other = step.outputs.digest;
    const refused = await tagRun('refs/tags/v3.0.0', { image, promote: other });
    expect(refused.step.exitCode).toBe(1);
    expect(failure(refused.step)).toContain(`${HOST}/acme/${image}:3.0.0 already holds ${old.outputs.digest}`);
    expect(failure(refused.step)).toContain(other);
    expect(manifestPuts(image, refused.from)).toEqual([]);
    expect(await moved('3.0.0')).toBe(old.outputs.digest);

    const allowed = await tagRun('refs/tags/v3.0.0', { image, promote: other, 'immutable-tags': 'false' });
    expect(failure(allowed.step)).toBe('');
    expect(await moved('3.0.0')).toBe(other);
  });
});
