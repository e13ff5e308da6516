import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RetryPolicy } from '../../src/registry/http-retry.js';
import { repositoryOrigin } from '../../src/registry/image-copy.js';
import { transferImage } from '../../src/registry/image-transfer.js';
import { layoutOrigin, layoutResult } from '../../src/registry/oci-layout.js';
import type { Manifest } from '../../src/registry/manifest-tree.js';
import { RegistryClient, RegistryError } from '../../src/registry/registry-client.js';
import { type FaultProxy, type SeenRequest, startFaultProxy } from '../support/fault-proxy.js';
import { FakeGitHub } from '../support/github.js';
import { copyLayers, hasTag, rawManifest } from '../support/inspect.js';
import { type TestRegistry, freePort, startRegistry } from '../support/registry.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const run = promisify(execFile);
const CREDS = 'acme:s3cret';
const PAT = 'ghp_transportRobotWithWrite01';

let registry: TestRegistry;
let proxy: FaultProxy;
let dir: string;
let single: string;
let multi: string;
let told: string[];
// Real waits, kept short: the Retry-After of a test is honoured as asked.
const retry: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 20,
  maxDelayMs: 100,
  timeoutMs: 10_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  onRetry: (m) => void told.push(m),
};
const client = (secret = 's3cret', host = proxy.host) => new RegistryClient(host, { username: 'acme', secret }, { retry });

/** A real build's OCI layout, as the action's builds export it. */
async function buildLayout(name: string, platforms?: string): Promise<string> {
  const dest = path.join(dir, name);
  const platform = platforms ? ['--platform', platforms] : [];
  await run('docker', ['buildx', 'build', ...platform, '--output', `type=oci,dest=${dest},tar=false`, path.join(dir, 'context')]);
  return dest;
}

/** A layout's image stored in `repo` as the publisher stores it: its parts, then the top under `tag` or by digest. */
async function pushLayout(c: RegistryClient, repo: string, layout: string, tag?: string): Promise<Manifest> {
  const top = layoutResult(layout);
  await transferImage(layoutOrigin(layout), top, c, repo);
  await c.putManifest(repo, tag ?? top.digest, top);
  return top;
}

/** An image of `from.repo` made available in `toRepo` (the top not stored), as a promote does. */
async function copyImage(c: RegistryClient, from: { repo: string; reference: string }, toRepo: string): Promise<Manifest> {
  const top = await c.manifest(from.repo, from.reference);
  await transferImage(repositoryOrigin(c, from.repo), top, c, toRepo);
  return top;
}

/** The requests the proxy saw while `work` ran. */
async function during(work: () => Promise<unknown>): Promise<SeenRequest[]> {
  const from = proxy.requests.length;
  await work();
  return proxy.requests.slice(from);
}
const layerBytes = (requests: SeenRequest[]) =>
  requests.filter((r) => (r.method === 'PUT' || r.method === 'PATCH') && r.path.includes('/blobs/')).reduce((n, r) => n + r.bytesIn, 0);
const readBack = (ref: string) => rawManifest(`${registry.host}/${ref}`, CREDS);
const childDigests = (index: Record<string, unknown>) => (index.manifests as { digest: string }[]).map((m) => m.digest);

beforeAll(async () => {
  dir = tempDir('registry-transport-');
  mkdirSync(path.join(dir, 'context'));
  copyFileSync('/bin/busybox', path.join(dir, 'context', 'busybox'));
  writeFileSync(path.join(dir, 'context', 'Dockerfile'), `FROM scratch\nCOPY busybox /bin/busybox\nLABEL test.run="${Date.now()}"\n`);
  [registry, single, multi] = await Promise.all([
    startRegistry({ kind: 'htpasswd', users: { acme: 's3cret' } }),
    buildLayout('single'),
    buildLayout('multi', 'linux/amd64,linux/arm64'),
  ]);
  proxy = await startFaultProxy(registry.url);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  told = [];
  proxy.clear();
});

describe('pushLayout', () => {
  it('survives a 503 on the blob POST, a reset during the blob PUT and a 429 on the manifest PUT', async () => {
    proxy.inject({ method: 'POST', path: /^\/v2\/acme\/single\/blobs\/uploads\/$/, fault: { status: 503 }, times: 1 });
    proxy.inject({ method: 'PUT', path: /^\/v2\/acme\/single\/blobs\/uploads\/.+digest=/, fault: 'reset', times: 1 });
    proxy.inject({ method: 'PUT', path: /^\/v2\/acme\/single\/manifests\/1\.0$/, fault: { status: 429, retryAfter: '1' }, times: 1 });
    const seen = await during(() => pushLayout(client(), 'acme/single', single, '1.0'));

    const built = layoutResult(single);
    expect((await readBack('acme/single:1.0')).digest).toBe(built.digest);
    // Each fault happened, and each was retried once and said so.
    expect(seen.filter((r) => r.status === 503 || r.status === 429 || r.status === 0)).toHaveLength(3);
    expect(told).toHaveLength(3);
    expect(told.join('\n')).toMatch(
      new RegExp(
        `POST ${proxy.url}/v2/acme/single/blobs/uploads/ answered 503 Service Unavailable; retrying with a new upload session in 0\\.02 s \\(attempt 2 of 4\\)`,
      ),
    );
    expect(told.join('\n')).toMatch(
      /PUT \S+\/blobs\/uploads\/\S+ failed \((ECONNRESET|EPIPE|UND_ERR_SOCKET)[^)]*\); retrying with a new upload session/,
    );
    expect(told.join('\n')).toContain(
      `PUT ${proxy.url}/v2/acme/single/manifests/1.0 answered 429 Too Many Requests (a rate limit: toomanyrequests: injected 429 by the fault proxy); retrying in 1 s (attempt 2 of 4)`,
    );
  });

  it('multi-platform: every platform and attestation manifest by digest, the index under the tag', async () => {
    const top = await pushLayout(client(), 'acme/multi', multi, 'latest');
    const index = await readBack('acme/multi:latest');
    expect(index.digest).toBe(top.digest);
    expect(index.digest).toBe(layoutResult(multi).digest);
    // Two platforms and their attestations.
    expect(childDigests(index.json)).toHaveLength(4);
    for (const child of childDigests(index.json)) expect((await readBack(`acme/multi@${child}`)).digest).toBe(child);
  });

  it('without a tag, by digest; and only what the registry lacks: a second push uploads no blob', async () => {
    await pushLayout(client(), 'acme/again', multi);
    const seen = await during(() => pushLayout(client(), 'acme/again', multi));
    expect((await readBack(`acme/again@${layoutResult(multi).digest}`)).digest).toBe(layoutResult(multi).digest);
    expect(seen.filter((r) => r.method === 'POST' || (r.method === 'PUT' && r.path.includes('/blobs/')))).toEqual([]);
    expect(layerBytes(seen)).toBe(0);
  });

  it('a fault that persists fails with the registry words, after the bounded attempts', async () => {
    proxy.inject({
      method: 'PUT',
      path: /\/manifests\/2\.0$/,
      fault: { status: 503, message: 'the storage backend is unavailable' },
      times: Infinity,
    });
    const seen: SeenRequest[] = [];
    const error = await during(() => pushLayout(client(), 'acme/persistent', single, '2.0')).then(
      () => undefined,
      (e: unknown) => e,
    );
    seen.push(...proxy.requests.filter((r) => r.path.endsWith('/manifests/2.0')));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(
      'storing the manifest acme/persistent:2.0: HTTP 503: unavailable: the storage backend is unavailable',
    );
    expect(seen).toHaveLength(4);
    expect(await readBack('acme/persistent:2.0').catch(() => 'absent')).toBe('absent');
  });

  it('a connection that keeps dropping fails naming the request, the attempts and the cause', async () => {
    proxy.inject({ method: 'PUT', path: /^\/v2\/acme\/resets\/blobs\/uploads\//, fault: 'reset', times: Infinity });
    await expect(pushLayout(client(), 'acme/resets', single, '1.0')).rejects.toThrow(
      new RegExp(`^PUT ${proxy.url}/v2/acme/resets/blobs/uploads/\\S+ failed after 4 attempts: (ECONNRESET|EPIPE|UND_ERR_SOCKET)`),
    );
  });
});

describe('401 is never retried', () => {
  it('a wrong password: one request without, one with the credential, no more', async () => {
    const seen = await during(() =>
      client('wrong')
        .checkPush('acme/single')
        .catch((e: Error) => e),
    );
    expect(seen.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 401', 'POST 401']);
    await expect(client('wrong').manifest('acme/single', '1.0')).rejects.toThrow('HTTP 401: unauthorized: authentication required');
  });

  it('a push with a wrong password stops at the first refusals', async () => {
    const seen = await during(() => pushLayout(client('wrong'), 'acme/denied', single, '1.0').catch((e: Error) => e));
    // The config and the layer asked about at once, each without and with the credential.
    expect(seen.map((r) => `${r.method} ${r.status}`)).toEqual(['HEAD 401', 'HEAD 401', 'HEAD 401', 'HEAD 401']);
    expect(told).toEqual([]);
  });

  it('401 on everything, even with the right password', async () => {
    proxy.inject({ method: 'GET', path: /./, fault: { status: 401 }, times: Infinity });
    const seen = await during(() =>
      client()
        .manifest('acme/single', '1.0')
        .catch((e: Error) => e),
    );
    expect(seen).toHaveLength(2);
    expect(told).toEqual([]);
  });
});

describe('copyImage', () => {
  it.each([
    ['single-platform', 'single'],
    ['multi-platform', 'multi'],
  ])('%s, to another repository: layers mounted, none uploaded, the digest unchanged', async (_what, name) => {
    const layout = name === 'single' ? single : multi;
    const source = await pushLayout(client(), `acme/src-${name}`, layout, 'sha-1234567');
    let copied = source;
    const seen = await during(async () => {
      copied = await copyImage(client(), { repo: `acme/src-${name}`, reference: 'sha-1234567' }, `acme/dst-${name}`);
      await client().putManifest(`acme/dst-${name}`, '1.0.0', copied);
    });
    expect(copied.digest).toBe(source.digest);
    expect(layerBytes(seen)).toBe(0);
    expect(seen.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/')))).toEqual([]);
    expect(seen.some((r) => r.method === 'POST' && r.path.includes('mount=') && r.status === 201)).toBe(true);
    const held = await readBack(`acme/dst-${name}:1.0.0`);
    expect(held.digest).toBe(source.digest);
    for (const child of name === 'multi' ? childDigests(held.json) : [])
      expect((await readBack(`acme/dst-${name}@${child}`)).digest).toBe(child);
  });

  it('a mount the registry refuses (202, an upload session) is streamed from the source, the digest unchanged', async () => {
    const source = await pushLayout(client(), 'acme/stream-src', multi, '1.0');
    proxy.inject({ method: 'POST', path: /^\/v2\/acme\/stream-dst\/blobs\/uploads\/\?mount=/, fault: 'refuse-mount', times: Infinity });
    let report: Record<string, number> = {};
    const seen = await during(async () => {
      const top = await client().manifest('acme/stream-src', '1.0');
      report = await transferImage(repositoryOrigin(client(), 'acme/stream-src'), top, client(), 'acme/stream-dst');
      await client().putManifest('acme/stream-dst', '1.0', top);
    });
    const blobs = seen.filter((r) => r.method === 'PUT' && r.path.startsWith('/v2/acme/stream-dst/blobs/uploads/'));
    expect(report).toMatchObject({ mounted: 0, 'refused-mount-streamed': blobs.length });
    expect(blobs.length).toBeGreaterThan(0);
    // Each blob read from the source once, and its bytes sent on to the target.
    const reads = seen.filter((r) => r.method === 'GET' && r.path.startsWith('/v2/acme/stream-src/blobs/'));
    expect(reads).toHaveLength(blobs.length);
    expect(layerBytes(seen)).toBeGreaterThan(1_000_000);
    expect((await readBack('acme/stream-dst:1.0')).digest).toBe(source.digest);
  });

  it('a refused mount whose source no longer holds the blob fails, naming the mount, the read and how to grant access', async () => {
    const source = await pushLayout(client(), 'acme/unlinked', single, '1.0');
    const layer = (JSON.parse(source.body.toString()) as { layers: { digest: string }[] }).layers[0].digest;
    // The source repository no longer holds the layer: the registry answers a mount with a plain upload session.
    const res = await fetch(`${registry.url}/v2/acme/unlinked/blobs/${layer}`, {
      method: 'DELETE',
      headers: { Authorization: `Basic ${Buffer.from(CREDS).toString('base64')}` },
    });
    expect(res.status).toBe(202);
    let error: unknown;
    const seen = await during(() =>
      copyImage(client(), { repo: 'acme/unlinked', reference: '1.0' }, 'acme/refused').catch((e: unknown) => (error = e)),
    );
    expect((error as Error).message).toMatch(
      `The registry refused a cross-repository mount of ${layer} from acme/unlinked into acme/refused, and reading it from acme/unlinked to stream it failed (reading acme/unlinked@${layer}: HTTP 404`,
    );
    expect((error as Error).message).toContain('Manage Actions access');
    expect(seen.filter((r) => r.method === 'DELETE' && r.path.startsWith('/v2/acme/refused/blobs/uploads/'))).toHaveLength(1);
    expect(layerBytes(seen)).toBe(0);
  });

  it('with a token service: one token pulls from the source and pushes to the target', async () => {
    const github = new FakeGitHub({ [PAT]: { login: 'acme', kind: 'classic-pat', scopes: ['write:packages'] } }, [], []);
    await github.start();
    const tokenProxy = await startFaultProxy(`http://${github.host}`);
    try {
      const c = new RegistryClient(tokenProxy.host, { username: 'acme', secret: PAT }, { retry });
      const source = await pushLayout(c, 'acme/token-src', multi, 'sha-1234567');
      const from = tokenProxy.requests.length;
      const copied = await copyImage(c, { repo: 'acme/token-src', reference: 'sha-1234567' }, 'acme/token-dst');
      await c.putManifest('acme/token-dst', '1.0.0', copied);
      const seen = tokenProxy.requests.slice(from);
      expect(layerBytes(seen)).toBe(0);
      expect(seen.filter((r) => r.path.startsWith('/token')).map((r) => decodeURIComponent(r.path).match(/scope=[^&]+/g))).toContainEqual([
        'scope=repository:acme/token-dst:pull,push',
        'scope=repository:acme/token-src:pull',
      ]);
      expect((await rawManifest(`${tokenProxy.host}/acme/token-dst:1.0.0`, `acme:${PAT}`)).digest).toBe(source.digest);
    } finally {
      await tokenProxy.stop();
      await github.stop();
    }
  });
});

describe('a damaged layout', () => {
  const damaged = (
    name: string,
    damage: (layout: string, manifest: { config: { digest: string }; layers: { digest: string }[] }) => void,
  ) => {
    const copy = path.join(dir, name);
    cpSync(single, copy, { recursive: true });
    const top = layoutResult(copy);
    damage(copy, JSON.parse(top.body.toString()) as Parameters<typeof damage>[1]);
    return copy;
  };
  const blobFile = (layout: string, digest: string) => path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));

  it('a manifest that does not match its digest is refused before any request', async () => {
    const layout = damaged('bad-manifest', (l) => {
      const file = blobFile(l, layoutResult(l).digest);
      chmodSync(file, 0o644);
      appendFileSync(file, ' ');
    });
    expect(() => layoutResult(layout)).toThrow('does not match its digest: the layout is damaged; build again.');
    const seen = await during(() => pushLayout(client(), 'acme/damaged', layout).catch(() => undefined));
    expect(seen).toEqual([]);
  });

  it('a truncated layer is refused, and not uploaded', async () => {
    let layer = '';
    const layout = damaged('short-layer', (l, m) => {
      layer = m.layers[0].digest;
      const file = blobFile(l, layer);
      chmodSync(file, 0o644);
      truncateSync(file, 1000);
    });
    let error: unknown;
    const seen = await during(() => pushLayout(client(), 'acme/damaged', layout).catch((e: unknown) => (error = e)));
    expect((error as Error).message).toMatch(/holds 1000 bytes, not the \d+ its manifest says: the layout is damaged; build again\.$/);
    expect(seen.filter((r) => r.method === 'PUT' && r.path.includes(encodeURIComponent(layer)))).toEqual([]);
  });
});

describe('blob reads the registry redirects to another origin', () => {
  it('are followed without the credential, by the client and by skopeo: the signed-URL host refuses any Authorization', async () => {
    const pushed = await pushLayout(client(), 'acme/redirected', single, '1.0');
    const config = (JSON.parse(pushed.body.toString()) as { config: { digest: string } }).config.digest;
    proxy.inject({ method: 'GET', path: /\/blobs\/sha256:[0-9a-f]{64}$/, fault: 'redirect', times: Infinity });
    const from = proxy.signedUrls.requests.length;
    const bytes = await client().blob('acme/redirected', config);
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(config);
    expect(proxy.signedUrls.requests.slice(from)).toEqual([
      { path: expect.stringMatching(/^\/containers\//), authorization: false, status: 200 },
    ]);
    const copied = await copyLayers(`${proxy.host}/acme/redirected:1.0`, CREDS);
    rmSync(copied, { recursive: true, force: true });
    expect(proxy.signedUrls.requests.slice(from + 1).map((r) => [r.authorization, r.status])).toEqual([
      [false, 200],
      [false, 200],
    ]);
  });

  it('a client that sent its credential along would be refused there', async () => {
    const url = proxy.signedUrls.sign(Buffer.from('x'), 'text/plain');
    const res = await fetch(url, { headers: { Authorization: 'Basic eDp5' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Only one auth mechanism allowed');
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('the checks of what the registry holds (support/inspect.ts)', () => {
  it('hasTag: true for a tag held, false for one the registry lacks, and an error when it cannot ask', async () => {
    await pushLayout(client(), 'acme/held', single, '1.0');
    expect(await hasTag(`${registry.host}/acme/held:1.0`, CREDS)).toBe(true);
    expect(await hasTag(`${registry.host}/acme/held:2.0`, CREDS)).toBe(false);
    expect(await hasTag(`${registry.host}/acme/never-pushed:1.0`, CREDS)).toBe(false);
    const closed = `127.0.0.1:${await freePort()}`;
    await expect(hasTag(`${closed}/acme/held:1.0`, CREDS)).rejects.toThrow('connection refused');
    await expect(hasTag(`${registry.host}/acme/held:2.0`, 'acme:wrong')).rejects.toThrow(
      /could not tell whether .* exists: .*unauthorized/i,
    );
  });
});

describe('the fault proxy', () => {
  it('carries a push by the real docker engine, counting its layer bytes', async () => {
    const config = mkdtempSync(path.join(dir, 'docker-config-'));
    writeFileSync(
      path.join(config, 'config.json'),
      JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from(CREDS).toString('base64') } } }),
    );
    const ref = `${proxy.host}/acme/engine:1.0`;
    const env = { ...process.env, DOCKER_CONFIG: config };
    await run('docker', ['buildx', 'build', '--load', '-t', ref, path.join(dir, 'context')], { env });
    try {
      const seen = await during(() => run('docker', ['push', ref], { env }));
      const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', ref], { env });
      expect((await readBack('acme/engine:1.0')).digest).toBe(stdout.trim().split('@')[1]);
      // busybox, compressed, went through the proxy.
      expect(layerBytes(seen)).toBeGreaterThan(500_000);
    } finally {
      await run('docker', ['image', 'rm', ref], { env }).catch(() => undefined);
    }
  });
});
