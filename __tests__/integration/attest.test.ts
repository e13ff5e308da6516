import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type CosignResult, cosign, cosignCommand } from '../support/cosign.js';
import { rawManifest } from '../support/inspect.js';
import { FakeCacheService } from '../support/cache-service.js';
import { WorkflowRun, helloContext, removeLocalImages } from '../support/jobs.js';
import { built, failure } from '../support/observe.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';
import { type OidcJob, SigstoreStandIns } from '../support/sigstore.js';

// attest: true through the bundled action, against stand-ins of Sigstore and GitHub reached under
// their real names (support/sigstore.ts), publishing to the real registry; what it attached is
// verified by the real cosign from the registry alone, offline.
const TOKEN = 'ghs_attestTestToken00000000001';
const USER = 'octo-bot';
const CREDS = `${USER}:${TOKEN}`;
const sigstore = new SigstoreStandIns();
let registry: TestRegistry;
let runner: Runner;

beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { [USER]: TOKEN } });
  await sigstore.start();
  runner = new Runner();
});
afterAll(async () => {
  await removeLocalImages(registry.host);
  await sigstore.stop();
  await registry.stop();
});

const github: GitHub = { repository: 'Acme/Widget', actor: USER, token: TOKEN, ref: 'refs/heads/main' };
const job = (visibility: OidcJob['visibility']): OidcJob => ({
  repository: 'Acme/Widget',
  ref: 'refs/heads/main',
  sha: '0123456789abcdef0123456789abcdef01234567',
  workflow: '.github/workflows/release.yml',
  visibility,
});

async function publish(
  image: string,
  visibility: OidcJob['visibility'],
  more: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<StepResult> {
  helloContext(runner.workspace, `${image} ${randomUUID()}\n`);
  return runner.main(
    github,
    { registry: registry.host, image, tags: 'v1', attest: 'true', ...more },
    { ...sigstore.env(job(visibility)), ...env },
  );
}

const verify = (command: string, visibility: OidcJob['visibility']): Promise<CosignResult> =>
  cosign(command, sigstore.trust[visibility === 'public' ? 'public-good' : 'github'], { host: registry.host, user: USER, password: TOKEN });

describe('a public repository’s single-platform image', () => {
  let step: StepResult;
  let command: string;
  beforeAll(async () => {
    step = await publish('single', 'public');
    command = cosignCommand(step.summary);
  });

  it('is published and signed, and the summary says how to verify it', () => {
    expect(failure(step)).toBe('');
    const image = `${registry.host}/acme/single@${step.outputs.digest}`;
    expect(step.summary).toContain(`gh attestation verify oci://${image} -R Acme/Widget`);
    expect(command).toBe(
      `cosign verify-attestation --type slsaprovenance1 --new-bundle-format --certificate-identity ${sigstore.identity(job('public'))} --certificate-oidc-issuer https://token.actions.githubusercontent.com ${image}`,
    );
  });

  it('is stored with GitHub’s attestations API, whose page is attestation-url', () => {
    expect(sigstore.attestations.map((a) => a.repository)).toContain('Acme/Widget');
    expect(step.outputs['attestation-url']).toMatch(/^https:\/\/github\.com\/Acme\/Widget\/attestations\/\d+$/);
  });

  it('verifies with cosign from the registry alone: SLSA v1 provenance of this digest, by this workflow', async () => {
    const result = await verify(command, 'public');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(result.statements).toEqual([
      expect.objectContaining({
        predicateType: 'https://slsa.dev/provenance/v1',
        subject: [{ name: `${registry.host}/acme/single`, digest: { sha256: step.outputs.digest.replace('sha256:', '') } }],
      }),
    ]);
    expect(result.statements[0].predicate.buildDefinition?.buildType).toBe('https://actions.github.io/buildtypes/workflow/v1');
    expect(result.statements[0].predicate.runDetails?.builder?.id).toBe(sigstore.identity(job('public')));
  });

  it('is kept under the sha256-<hex> tag index, the registry having no referrers API', async () => {
    const index = await rawManifest(`${registry.host}/acme/single:${step.outputs.digest.replace(':', '-')}`, CREDS);
    expect(index.json).toMatchObject({ manifests: [{ artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }] });
  });

  it('fails verification for another identity', async () => {
    const other = await verify(command.replace('@refs/heads/main', '@refs/heads/evil'), 'public');
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/expected SAN value/);
  });

  it('fails verification for another digest of the same repository, one not attested', async () => {
    const plain = await publish('single', 'public', { tags: 'plain', attest: 'false' });
    expect(plain.outputs.digest).not.toBe(step.outputs.digest);
    const other = await verify(command.replace(step.outputs.digest, plain.outputs.digest), 'public');
    expect(other.status).not.toBe(0);
    expect(other.statements).toEqual([]);
    expect(other.stderr).toMatch(/no valid bundles exist in registry/);
  });
});

describe('a private repository’s multi-platform image', () => {
  let step: StepResult;
  let command: string;
  let platforms: string[];
  beforeAll(async () => {
    step = await publish('multi', 'private', { platforms: 'linux/amd64,linux/arm64' });
    command = cosignCommand(step.summary);
    const index = await rawManifest(`${registry.host}/acme/multi:v1`, CREDS);
    platforms = (index.json as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
  });

  it('is signed with GitHub’s instance: the command asks for its trusted root and signed timestamps, no log', () => {
    expect(failure(step)).toBe('');
    expect(platforms).toHaveLength(2);
    expect(step.summary).toContain('gh attestation trusted-root | grep fulcio.githubapp.com &gt; github-trusted-root.json');
    expect(command).toContain(' --trusted-root github-trusted-root.json --use-signed-timestamps --insecure-ignore-tlog ');
  });

  it('verifies the index and each platform image with cosign from the registry alone', async () => {
    for (const digest of [step.outputs.digest, ...platforms]) {
      const result = await verify(command.replace(step.outputs.digest, digest), 'private');
      expect(result.status).toBe(0);
      expect(result.statements.map((s) => s.subject)).toEqual([
        [{ name: `${registry.host}/acme/multi`, digest: { sha256: digest.replace('sha256:', '') } }],
      ]);
    }
  });

  it('does not verify without the timestamp flags: it is in no transparency log', async () => {
    const result = await verify(command.replace(' --use-signed-timestamps --insecure-ignore-tlog', ''), 'private');
    console.log('NOTS', result.stderr);
    expect(result.status).not.toBe(0);
  });

  it('does not verify with the public-good instance’s trust', async () => {
    const withPublicTrust = await cosign(command, sigstore.trust['public-good'], { host: registry.host, user: USER, password: TOKEN });
    expect(withPublicTrust.status).not.toBe(0);
    expect(withPublicTrust.stderr).toMatch(/no matching attestations/);
  });
});

describe('a job whose token may not store attestations', () => {
  beforeAll(() => void sigstore.withoutAttestationsWrite.add(TOKEN));
  afterAll(() => void sigstore.withoutAttestationsWrite.delete(TOKEN));

  it('warns, and attaches the attestation in the registry all the same', async () => {
    const stored = sigstore.attestations.length;
    const step = await publish('unstored', 'public');
    expect(failure(step)).toBe('');
    expect(step.stdout).toMatch(/^::warning::GitHub's attestations API did not store 1 of 1 attestation\(s\).*attestations: write/m);
    expect(step.outputs['attestation-url']).toBe('');
    expect(sigstore.attestations.length).toBe(stored);
    expect((await verify(cosignCommand(step.summary), 'public')).status).toBe(0);
  });
});

describe('a job without id-token: write', () => {
  it('fails before building, naming the permissions to add, and pushes nothing', async () => {
    helloContext(runner.workspace, 'no token\n');
    const step = await runner.main(
      github,
      { registry: registry.host, image: 'no-token', tags: 'v1', attest: 'true' },
      sigstore.env(job('public'), { idToken: false }),
    );
    expect(step.exitCode).toBe(1);
    expect(failure(step)).toContain('its permissions lack id-token: write');
    expect(failure(step)).toContain('  id-token: write');
    expect(failure(step)).toContain('  attestations: write');
    expect(built(step)).toBe(false);
    expect(step.dockerCalls).toEqual([]);
  });
});

describe('runs that publish nothing new', () => {
  it('push: false builds, attests nothing and says so', async () => {
    const before = sigstore.requests.length;
    const step = await publish('local-only', 'public', { push: 'false' });
    expect(failure(step)).toBe('');
    expect(step.stdout).toContain('attest: nothing: push is false, so nothing is published to attest.');
    expect(sigstore.requests.slice(before)).toEqual([]);
  });

  it('a dry run says what would be attested, signs nothing, and checks the permission', async () => {
    const before = sigstore.requests.length;
    const step = await publish('dry', 'private', { 'dry-run': 'true', platforms: 'linux/amd64,linux/arm64' });
    expect(failure(step)).toBe('');
    expect(step.stdout).toContain('attest: SLSA v1 build provenance of the published index and each platform image');
    expect(step.stdout).toContain("signed with GitHub's Sigstore instance: a private repository");
    expect(sigstore.requests.slice(before)).toEqual([]);
    const refused = await runner.main(
      github,
      { registry: registry.host, image: 'dry', tags: 'v1', attest: 'true', 'dry-run': 'true' },
      sigstore.env(job('public'), { idToken: false }),
    );
    expect(failure(refused)).toContain('its permissions lack id-token: write');
  });

  it('a promote into another repository signs nothing and carries the attestations along', async () => {
    const source = await publish('source', 'public', { tags: 'v2' });
    const before = sigstore.requests.length;
    const step = await runner.main(
      github,
      { registry: registry.host, image: 'promoted', tags: 'v2', attest: 'true', promote: `${registry.host}/acme/source:v2` },
      sigstore.env(job('public'), { idToken: false }),
    );
    expect(failure(step)).toBe('');
    expect(step.outputs.digest).toBe(source.outputs.digest);
    expect(sigstore.requests.slice(before)).toEqual([]);
    const result = await verify(cosignCommand(step.summary), 'public');
    expect(result.status).toBe(0);
    expect(cosignCommand(step.summary)).toContain(`${registry.host}/acme/promoted@${source.outputs.digest}`);
  });
});

describe('an image that also goes to another registry', () => {
  const HUB_TOKEN = 'dckr_pat_attestTestHubToken01';
  let hub: TestRegistry;
  beforeAll(async () => void (hub = await startRegistry({ kind: 'htpasswd', users: { acmebot: HUB_TOKEN } })));
  afterAll(() => hub.stop());

  it('is signed once, and cosign verifies it from the other registry alone', async () => {
    const stored = sigstore.attestations.length;
    const step = await publish(
      'everywhere',
      'public',
      { 'also-push-to': `${hub.host}/acmebot/everywhere user=acmebot password-env=HUB_TOKEN` },
      { HUB_TOKEN },
    );
    expect(failure(step)).toBe('');
    expect(sigstore.attestations.length).toBe(stored + 1);
    const there = cosignCommand(step.summary).replace(`${registry.host}/acme/everywhere@`, `${hub.host}/acmebot/everywhere@`);
    const result = await cosign(there, sigstore.trust['public-good'], { host: hub.host, user: 'acmebot', password: HUB_TOKEN });
    expect(result.status).toBe(0);
    expect(result.statements[0].subject).toEqual([
      { name: `${registry.host}/acme/everywhere`, digest: { sha256: step.outputs.digest.replace('sha256:', '') } },
    ]);
  });
});

describe('platform jobs and their merge job', () => {
  const cache = new FakeCacheService();
  beforeAll(() => cache.start());
  afterAll(() => cache.stop());

  it('each platform job attests its image, the merge job the index; cosign verifies all three', async () => {
    const run = new WorkflowRun(cache, github);
    const env = sigstore.env(job('public'));
    const inputs = { registry: registry.host, image: 'merged', attest: 'true' };
    const platformJobs = await Promise.all(
      ['linux/amd64', 'linux/arm64'].map((platform) =>
        run.job(
          { ...inputs, platforms: platform, push: 'by-digest' },
          { env, workspace: (dir) => helloContext(dir, `merged ${platform} ${randomUUID()}\n`) },
        ),
      ),
    );
    await removeLocalImages(registry.host);
    const stored = sigstore.attestations.length;
    const merge = await run.job({ ...inputs, merge: 'linux/amd64,linux/arm64', tags: 'v3' }, { env });
    expect([...platformJobs, merge].map((j) => failure(j.main))).toEqual(['', '', '']);
    expect(sigstore.attestations.length).toBe(stored + 1);
    for (const step of [...platformJobs.map((j) => j.main), merge.main]) {
      const result = await verify(cosignCommand(step.summary), 'public');
      expect(result.status).toBe(0);
      expect(result.statements[0].subject[0].digest.sha256).toBe(step.outputs.digest.replace('sha256:', ''));
    }
  });
});

describe('every run above', () => {
  it('reached no host but the stand-ins: the proxy refused nothing', () => {
    expect(sigstore.refused).toEqual([]);
    expect(sigstore.requests.some((r) => r.startsWith('POST fulcio.sigstore.dev/'))).toBe(true);
    expect(sigstore.requests.some((r) => r.startsWith('POST timestamp.githubapp.com/'))).toBe(true);
  });
});
