import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SIGNER, statementOf } from '../../__fixtures__/fake-attestor.js';
import { HUB } from '../../__fixtures__/other-registries.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js';
import { ociImage } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, FakeHandoff, makeWorld, planOf, type World } from '../../__fixtures__/run-world.js';
import { context } from '../../__fixtures__/settings.js';
import { GitHubApiError } from '../../src/github/github-api.js';
import { execute } from '../../src/publish/execute.js';
import { setOutputs, writeSummary } from '../../src/publish/summary.js';
import type { Descriptor } from '../../src/registry/manifest-tree.js';
import { referrersTag } from '../../src/registry/referrers.js';
import { ActionError } from '../../src/runner/errors.js';
import type { GitHubContext } from '../../src/runner/github-context.js';
import type { Settings } from '../../src/settings/settings.js';

const REPO = 'acme/widget';
const attesting = (over: Partial<Settings> = {}, ctx: GitHubContext = context) => planOf({ attest: true, ...over }, ctx);
const signedDigests = (w: World) => w.attestor.signed.flatMap((s) => s.subjects.map((x) => x.digest));
/** The digests each `sha256-<hex>` tag index lists, by the digest it is about. */
const attachedTo = (w: World, digest: string) =>
  w.registry.tagged(REPO, referrersTag(digest))
    ? w.registry.json<{ manifests: Descriptor[] }>(REPO, referrersTag(digest)).manifests.map((m) => m.digest)
    : [];

const log = capturedRuns();

describe('a build with attest: true', () => {
  it('signs the published digest as registry/path, stores it on GitHub and attaches it in the registry', async () => {
    const w = makeWorld();
    const result = await execute(attesting(), w.deps);
    expect(w.attestor.signed).toEqual([{ subjects: [{ name: 'ghcr.io/acme/widget', digest: result.digest }], instance: 'public-good' }]);
    expect(w.attestor.stored.map((b) => statementOf(b).subject[0].digest.sha256)).toEqual([result.digest.replace('sha256:', '')]);
    const [attached] = attachedTo(w, result.digest);
    expect(w.registry.json<{ subject: Descriptor }>(REPO, attached).subject.digest).toBe(result.digest);
    expect(result.attestation?.url).toBe('https://github.com/Acme/Widget/attestations/1');
  });

  it('gives the commands that verify it; without a public log, with GitHub’s trusted root and signed timestamps', async () => {
    const image = (digest: string) => `ghcr.io/acme/widget@${digest}`;
    const pub = await execute(attesting(), makeWorld().deps);
    expect(pub.attestation?.verify).toEqual([
      `gh attestation verify oci://${image(pub.digest)} -R Acme/Widget`,
      `cosign verify-attestation --type slsaprovenance1 --new-bundle-format --certificate-identity ${SIGNER} --certificate-oidc-issuer https://token.actions.githubusercontent.com ${image(pub.digest)}`,
    ]);
    const privateRun = { ...context, visibility: 'private' };
    const w = makeWorld({ ctx: privateRun });
    const priv = await execute(attesting({}, privateRun), w.deps);
    expect(w.attestor.signed[0].instance).toBe('github');
    expect(priv.attestation?.verify).toEqual([
      `gh attestation verify oci://${image(priv.digest)} -R Acme/Widget`,
      'gh attestation trusted-root | grep fulcio.githubapp.com > github-trusted-root.json',
      `cosign verify-attestation --type slsaprovenance1 --new-bundle-format --trusted-root github-trusted-root.json --use-signed-timestamps --insecure-ignore-tlog --certificate-identity ${SIGNER} --certificate-oidc-issuer https://token.actions.githubusercontent.com ${image(priv.digest)}`,
    ]);
    expect(log.text()).toContain(`Verify ${image(priv.digest)} with:\n  gh attestation verify`);
  });

  it('of several platforms signs the index and each platform image, not BuildKit’s attestation manifests', async () => {
    const w = makeWorld();
    const result = await execute(attesting({ platforms: ['linux/amd64', 'linux/arm64'], provenance: true }), w.deps);
    const index = w.registry.json<{ manifests: Descriptor[] }>(REPO, result.digest);
    const platforms = index.manifests.filter((m) => m.platform?.os === 'linux').map((m) => m.digest);
    expect(index.manifests).toHaveLength(4);
    expect(signedDigests(w)).toEqual([result.digest, ...platforms]);
    for (const digest of [result.digest, ...platforms]) expect(attachedTo(w, digest)).toHaveLength(1);
  });

  it('the GitHub API refusing to store it is a warning: the registry copy is made all the same', async () => {
    const w = makeWorld();
    w.attestor.storeFailure = new GitHubApiError(403, 'Resource not accessible by integration', false);
    const result = await execute(attesting(), w.deps);
    expect(log.text()).toMatch(/::warning::GitHub's attestations API did not store 1 of 1 attestation\(s\).*attestations: write/);
    expect(attachedTo(w, result.digest)).toHaveLength(1);
    expect(result.attestation?.url).toBe('');
  });

  it('a signing failure fails the step, saying the image is published and a re-run attests it', async () => {
    const w = makeWorld();
    w.attestor.signFailure = new Error('Failed to get ID token: 500');
    const e = await failure(execute(attesting(), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect((e as ActionError).input).toBe('attest');
    expect(e.message).toContain('is published, but signing its build provenance failed: Failed to get ID token: 500');
    expect(Object.keys(w.registry.tagsOf(REPO))).toContain('1.2.3');
  });

  it('without id-token: write fails before it checks, logs in or builds anything', async () => {
    const noToken = { ...context, idToken: false };
    const w = makeWorld({ ctx: noToken });
    const e = await failure(execute(attesting({}, noToken), w.deps));
    expect(e.message).toContain('its permissions lack id-token: write');
    expect(w.registry.calls).toEqual([]);
    expect(w.docker.calls).toEqual([]);
  });
});

describe('runs that publish nothing new', () => {
  it.each<[string, Partial<Settings>, GitHubContext]>([
    ['push: false', { push: false }, context],
    ['a fork’s pull request', {}, { ...context, readOnlyToken: true }],
  ])('%s signs nothing and says so', async (_, over, ctx) => {
    const w = makeWorld({ ctx });
    const result = await execute(attesting(over, ctx), w.deps);
    expect(w.attestor.signed).toEqual([]);
    expect(result.attestation).toBeUndefined();
    expect(log.text()).toMatch(/attest: nothing: (push is false|this run pushes nothing)/);
  });

  it('a dry run signs and writes nothing, and shows what would be attested', async () => {
    const w = makeWorld();
    await execute(attesting({ dryRun: true }), w.deps);
    expect(w.attestor.signed).toEqual([]);
    expect(w.registry.writes()).toEqual([]);
    expect(log.text()).toContain('attest: SLSA v1 build provenance of the published image');
  });

  it('an image already published and attested is not signed again', async () => {
    const w = makeWorld();
    const first = await execute(attesting(), w.deps);
    const again = await execute(attesting(), w.deps);
    expect(again.alreadyPublished).toBe(true);
    expect(w.attestor.signed).toHaveLength(1);
    expect(again.attestation?.lines).toEqual([
      `ghcr.io/acme/widget@${first.digest} was already published`,
      `attested by ${SIGNER}: nothing new is signed`,
    ]);
    expect(again.attestation?.verify).toEqual(first.attestation?.verify);
  });

  it('an image already published without an attestation is signed now', async () => {
    const w = makeWorld();
    const plain = await execute(planOf(), w.deps);
    const now = await execute(attesting(), w.deps);
    expect(now).toMatchObject({ alreadyPublished: true, digest: plain.digest });
    expect(signedDigests(w)).toEqual([plain.digest]);
    expect(attachedTo(w, plain.digest)).toHaveLength(1);
  });

  it('a registry that will not say what is attached: a warning, and the image already published is signed', async () => {
    const w = makeWorld();
    const plain = await execute(planOf(), w.deps);
    w.registry.fail({ method: 'referrers' });
    await execute(attesting(), w.deps);
    expect(log.text()).toContain(`::warning::Could not read what is attached to ghcr.io/acme/widget@${plain.digest}`);
    expect(signedDigests(w)).toEqual([plain.digest]);
  });
});

describe('platform jobs and merges', () => {
  it('a platform job signs its platform image', async () => {
    const w = makeWorld();
    const result = await execute(attesting({ byDigest: true, platforms: ['linux/arm64'] }), w.deps);
    expect(signedDigests(w)).toEqual([result.digest]);
    expect(attachedTo(w, result.digest)).toHaveLength(1);
  });

  it('a merge signs the index only: its platform jobs signed their images', async () => {
    const registry = new MemoryRegistry();
    const handoff = new FakeHandoff();
    for (const p of ['linux/amd64', 'linux/arm64']) handoff.held.set(p, registry.seed(REPO, ociImage({ platform: p, content: p })));
    const w = makeWorld({ registry, handoff });
    const result = await execute(attesting({ merge: ['linux/amd64', 'linux/arm64'] }), w.deps);
    expect(signedDigests(w)).toEqual([result.digest]);
  });
});

describe('a promote', () => {
  it('into another repository signs nothing and carries what is attached to the image along', async () => {
    const w = makeWorld();
    const source = await execute(attesting({ path: 'acme/widget-ci', imageName: 'ghcr.io/acme/widget-ci', tags: ['main'] }), w.deps);
    const promote = attesting(
      { promote: { kind: 'reference', path: 'acme/widget-ci', reference: 'main' } },
      { ...context, idToken: false },
    );
    const result = await execute(promote, w.deps);
    expect(result.digest).toBe(source.digest);
    expect(w.attestor.signed).toHaveLength(1);
    expect(attachedTo(w, result.digest)).toEqual(
      w.registry.json<{ manifests: Descriptor[] }>('acme/widget-ci', referrersTag(source.digest)).manifests.map((m) => m.digest),
    );
    expect(result.attestation?.lines).toContain('1 attached manifest(s) copied from ghcr.io/acme/widget-ci');
    expect(result.attestation?.verify[1]).toContain(`--certificate-identity ${SIGNER}`);
  });
});

describe('on every registry the image goes to', () => {
  const hubAttachments = (w: World, digest: string) =>
    w.other('docker.io').tagged(HUB.path, referrersTag(digest))
      ? w
          .other('docker.io')
          .json<{ manifests: Descriptor[] }>(HUB.path, referrersTag(digest))
          .manifests.map((m) => m.digest)
      : [];

  it('a build signs once, and the attestations go along to each other registry', async () => {
    const w = makeWorld();
    const result = await execute(attesting({ alsoPushTo: [HUB], platforms: ['linux/amd64', 'linux/arm64'] }), w.deps);
    const signed = signedDigests(w);
    expect(signed).toHaveLength(3);
    expect(w.attestor.stored).toHaveLength(3);
    for (const digest of signed) expect(hubAttachments(w, digest)).toEqual(attachedTo(w, digest));
    expect(hubAttachments(w, result.digest)).toHaveLength(1);
    expect(result.attestation?.lines).toContain('3 attached manifest(s) copied to docker.io/acmebot/widget');
  });

  it('a promote copies what is attached to the source to each registry', async () => {
    const w = makeWorld();
    const source = await execute(attesting({ path: 'acme/widget-ci', imageName: 'ghcr.io/acme/widget-ci', tags: ['main'] }), w.deps);
    const promote = attesting({ alsoPushTo: [HUB], promote: { kind: 'reference', path: 'acme/widget-ci', reference: 'main' } });
    await execute(promote, w.deps);
    expect(hubAttachments(w, source.digest)).toEqual(attachedTo(w, source.digest));
    expect(hubAttachments(w, source.digest)).toHaveLength(1);
  });
});

describe('outputs and summary', () => {
  const dir = tempDir('summary-');

  it('attestation-url, and the verify commands in the summary', async () => {
    const result = await execute(attesting(), makeWorld().deps);
    const summary = path.join(dir, 'summary.md');
    const output = path.join(dir, 'output');
    writeFileSync(summary, '');
    writeFileSync(output, '');
    const saved = { GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY, GITHUB_OUTPUT: process.env.GITHUB_OUTPUT };
    Object.assign(process.env, { GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output });
    try {
      setOutputs(result);
      await writeSummary(result);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    expect(readFileSync(output, 'utf8')).toMatch(/^attestation-url<<.*\nhttps:\/\/github\.com\/Acme\/Widget\/attestations\/1\n/m);
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('<a href="https://github.com/Acme/Widget/attestations/1">');
    expect(text).toContain(
      `<pre>gh attestation verify oci://ghcr.io/acme/widget@${result.digest} -R Acme/Widget\ncosign verify-attestation`,
    );
  });
});
