import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { RetryPolicy } from '../../src/registry/http-retry.js';
import { RegistryClient, RegistryError, parseChallenge, registryError } from '../../src/registry/registry-client.js';

// A registry whose every answer the test writes; what the client sent is kept in `sent`.
interface Sent {
  method: string;
  url: string;
  auth: string;
  body: string;
}
type Handler = (req: Sent, res: http.ServerResponse) => void;
let handler: Handler;
let sent: Sent[];
let told: string[];
let server: http.Server;
let other: http.Server;
let host: string;
let otherUrl: string;

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}
function serve(h: () => Handler): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        url: req.url ?? '',
        auth: req.headers.authorization ?? '',
        body: Buffer.concat(chunks).toString(),
      };
      sent.push(s);
      h()(s, res);
    });
  });
}
beforeAll(async () => {
  server = serve(() => handler);
  host = await listen(server);
  // Another origin, where a registry may redirect blob downloads: as a signed-URL host, it refuses
  // any request that carries an Authorization header (oven-sh/bun#31347).
  other = serve(
    () => (req, res) =>
      req.auth
        ? void res
            .writeHead(400, { 'content-type': 'application/xml' })
            .end('<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>')
        : void res.writeHead(200).end('config bytes'),
  );
  otherUrl = `http://${await listen(other)}`;
});
afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
beforeEach(() => {
  sent = [];
  told = [];
});

const retry: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 1,
  timeoutMs: 2000,
  sleep: async () => undefined,
  onRetry: (m) => void told.push(m),
};
const client = (login = true) => new RegistryClient(host, login ? { username: 'acme', secret: 'pw' } : undefined, { retry });
const digestOf = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const json = (res: http.ServerResponse, status: number, body: unknown = {}, headers: Record<string, string> = {}) =>
  void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const errors = (code: string, message: string) => ({ errors: [{ code, message }] });
const lines = () => sent.map((s) => `${s.method} ${s.url}`);

/** A token service at /token and a registry wanting its tokens; `registry` answers once authorized. */
function withTokens(registry: Handler): Handler {
  return (req, res) => {
    if (req.url.startsWith('/token')) return json(res, 200, { token: `t${sent.filter((s) => s.url.startsWith('/token')).length}` });
    if (!req.auth.startsWith('Bearer '))
      return json(res, 401, errors('UNAUTHORIZED', 'authentication required'), {
        'www-authenticate': `Bearer realm="http://${host}/token",service="test"`,
      });
    registry(req, res);
  };
}

describe('tokens', () => {
  it('are asked once per set of scopes; a push token also pulls', async () => {
    const body = '{"schemaVersion":2}';
    handler = withTokens((req, res) =>
      req.method === 'PUT' ? json(res, 201) : void res.writeHead(200, { 'content-type': 'x' }).end(body),
    );
    const c = client();
    await c.putManifest('acme/w', 'latest', { body: Buffer.from(body), mediaType: 'x' });
    await c.manifest('acme/w', 'latest');
    await c.findManifest('acme/w', 'other');
    expect(lines().filter((l) => l.includes('/token'))).toEqual(['GET /token?service=test&scope=repository%3Aacme%2Fw%3Apull%2Cpush']);
    expect(sent.find((s) => s.url.startsWith('/token'))?.auth).toBe(`Basic ${Buffer.from('acme:pw').toString('base64')}`);
  });

  it('requests made at once share one token', async () => {
    handler = withTokens((_req, res) => json(res, 404));
    const c = client();
    await Promise.all(['a', 'b', 'c', 'd'].map((x) => c.blobExists('acme/w', digestOf(x))));
    expect(lines().filter((l) => l.includes('/token'))).toHaveLength(1);
  });

  it('for a mount, one token with push on the target and pull on the source', async () => {
    handler = withTokens((_req, res) => json(res, 201));
    expect(await client().mountBlob('acme/to', digestOf('x'), 'acme/from')).toBe(true);
    const token = new URL(sent.find((s) => s.url.startsWith('/token'))?.url ?? '', 'http://x');
    expect(token.searchParams.getAll('scope')).toEqual(['repository:acme/to:pull,push', 'repository:acme/from:pull']);
    expect(lines().at(-1)).toBe(`POST /v2/acme/to/blobs/uploads/?mount=${encodeURIComponent(digestOf('x'))}&from=acme%2Ffrom`);
  });

  it('a 401 with a fresh token is final: one renewal, no retry', async () => {
    handler = withTokens((_req, res) =>
      json(res, 401, errors('UNAUTHORIZED', 'unauthenticated: User cannot be authenticated with the token provided.')),
    );
    const error = await client()
      .manifest('acme/w', 'latest')
      .catch((e: RegistryError) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).registryMessage).toBe(
      'unauthorized: unauthenticated: User cannot be authenticated with the token provided.',
    );
    // Unauthenticated, then a token and one request with it: refused with a fresh token, final.
    expect(lines().map((l) => l.replace(/\?.*/, ''))).toEqual([
      'GET /v2/acme/w/manifests/latest',
      'GET /token',
      'GET /v2/acme/w/manifests/latest',
    ]);
    expect(told).toEqual([]);
  });

  it('a kept token the registry no longer takes (expired) is renewed once', async () => {
    handler = withTokens((req, res) =>
      req.auth === 'Bearer t1' && sent.length > 3
        ? json(res, 401, errors('UNAUTHORIZED', 'expired'), { 'www-authenticate': `Bearer realm="http://${host}/token",service="test"` })
        : json(res, 404),
    );
    const c = client();
    await c.blobExists('acme/w', digestOf('a'));
    expect(await c.blobExists('acme/w', digestOf('b'))).toBe(false);
    expect(sent.map((s) => `${s.method} ${s.url.replace(/\?.*/, '')} ${s.auth.split(' ')[0]}`)).toEqual([
      'HEAD /v2/acme/w/blobs/' + digestOf('a') + ' ',
      'GET /token Basic',
      'HEAD /v2/acme/w/blobs/' + digestOf('a') + ' Bearer',
      'HEAD /v2/acme/w/blobs/' + digestOf('b') + ' Bearer',
      'GET /token Basic',
      'HEAD /v2/acme/w/blobs/' + digestOf('b') + ' Bearer',
    ]);
    expect(sent.at(-1)?.auth).toBe('Bearer t2');
  });

  it('Basic registries get Basic from the first request on, once they have asked', async () => {
    handler = (req, res) =>
      req.auth ? json(res, 404, errors('BLOB_UNKNOWN', 'blob unknown')) : json(res, 401, {}, { 'www-authenticate': 'Basic realm="r"' });
    const c = client();
    expect(await c.blobExists('acme/w', digestOf('a'))).toBe(false);
    expect(await c.blobExists('acme/w', digestOf('b'))).toBe(false);
    expect(sent.map((s) => s.auth.split(' ')[0])).toEqual(['', 'Basic', 'Basic']);
  });

  it('without a credential, a Basic challenge is answered with the 401 itself', async () => {
    handler = (_req, res) => json(res, 401, errors('UNAUTHORIZED', 'authentication required'), { 'www-authenticate': 'Basic realm="r"' });
    await expect(client(false).checkPush('acme/w')).rejects.toThrow('starting an upload: HTTP 401: unauthorized: authentication required');
    expect(sent).toHaveLength(1);
  });
});

describe('manifests', () => {
  const body = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}';

  it('a missing one is undefined to findManifest and an error with the words to manifest', async () => {
    handler = (_req, res) => json(res, 404, errors('MANIFEST_UNKNOWN', 'manifest unknown'));
    expect(await client().findManifest('acme/w', '1.0')).toBeUndefined();
    await expect(client().manifest('acme/w', '1.0')).rejects.toThrow(
      'reading the manifest acme/w:1.0: HTTP 404: manifest_unknown: manifest unknown',
    );
  });

  it('read by digest, must have that digest', async () => {
    handler = (_req, res) => void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(body);
    expect((await client().manifest('acme/w', digestOf(body))).digest).toBe(digestOf(body));
    await expect(client().manifest('acme/w', digestOf('other'))).rejects.toThrow('damaged or was altered');
  });

  it('stored: the digest is of the bytes sent, and the registry must agree', async () => {
    handler = (req, res) => json(res, 201, {}, { 'docker-content-digest': digestOf(req.body) });
    const m = { body: Buffer.from(body), mediaType: 'application/vnd.oci.image.manifest.v1+json' };
    expect(await client().putManifest('acme/w', '1.0', m)).toBe(digestOf(body));
    handler = (_req, res) => json(res, 201, {}, { 'docker-content-digest': digestOf('rewritten') });
    await expect(client().putManifest('acme/w', '1.0', m)).rejects.toThrow(`stored acme/w:1.0 as ${digestOf('rewritten')}`);
  });

  it('stored by a digest that is not theirs: refused before sending', async () => {
    await expect(client().putManifest('acme/w', digestOf('x'), { body: Buffer.from(body), mediaType: 'x' })).rejects.toThrow(
      "the manifest's digest is",
    );
    expect(sent).toEqual([]);
  });
});

describe('referrers', () => {
  const INDEX = 'application/vnd.oci.image.index.v1+json';
  const artifact = '{"schemaVersion":2,"subject":{"digest":"sha256:aa"}}';
  const m = { body: Buffer.from(artifact), mediaType: 'application/vnd.oci.image.manifest.v1+json' };

  it('stored by digest; indexed when the registry answers OCI-Subject (distribution spec 1.1)', async () => {
    handler = (_req, res) => json(res, 201, {}, { 'oci-subject': 'sha256:aa' });
    expect(await client().putReferrer('acme/w', m)).toEqual({ digest: digestOf(artifact), indexed: true });
    expect(lines()).toEqual([`PUT /v2/acme/w/manifests/${digestOf(artifact)}`]);
    handler = (_req, res) => json(res, 201);
    expect(await client().putReferrer('acme/w', m)).toEqual({ digest: digestOf(artifact), indexed: false });
  });

  it('listed by the referrers API as an index', async () => {
    const listed = [{ mediaType: m.mediaType, digest: digestOf(artifact), size: artifact.length, artifactType: 'x' }];
    handler = (_req, res) => json(res, 200, { schemaVersion: 2, mediaType: INDEX, manifests: listed }, { 'content-type': INDEX });
    expect(await client().referrers('acme/w', 'sha256:aa')).toEqual(listed);
    expect(lines()).toEqual(['GET /v2/acme/w/referrers/sha256:aa']);
  });

  it.each([
    ['404, as ghcr.io and Distribution 2 answer', 404, 'application/json'],
    ['405', 405, 'application/json'],
    ['an answer that is not an index', 200, 'text/html'],
  ])('none: undefined for %s', async (_, status, type) => {
    handler = (_req, res) => void res.writeHead(status, { 'content-type': type }).end('{}');
    expect(await client().referrers('acme/w', 'sha256:aa')).toBeUndefined();
  });

  it('a refusal is an error with the registry’s words', async () => {
    handler = (_req, res) => json(res, 403, errors('DENIED', 'requested access to the resource is denied'));
    await expect(client().referrers('acme/w', 'sha256:aa')).rejects.toThrow('listing the referrers of acme/w@sha256:aa: HTTP 403');
  });
});

describe('blobs', () => {
  const blob = 'layer bytes';

  it.each([
    ['a relative Location with a query', '/v2/acme/w/blobs/uploads/u1?_state=abc%3D', '/v2/acme/w/blobs/uploads/u1?_state=abc%3D&digest='],
    ['an absolute Location', 'http://HOST/v2/acme/w/blobs/uploads/u2', '/v2/acme/w/blobs/uploads/u2?digest='],
  ])('upload to %s: one PUT with the digest', async (_what, location, put) => {
    handler = (req, res) => (req.method === 'POST' ? json(res, 202, {}, { location: location.replace('HOST', host) }) : json(res, 201));
    await client().uploadBlob('acme/w', digestOf(blob), blob.length, () => Buffer.from(blob));
    expect(lines()).toEqual(['POST /v2/acme/w/blobs/uploads/', `PUT ${put}${encodeURIComponent(digestOf(blob))}`]);
    expect(sent[1].body).toBe(blob);
  });

  it.each([
    ['a 503 on the POST', (n: number, res: http.ServerResponse) => (n === 0 ? json(res, 503) : undefined)],
    ['a 503 on the PUT', (n: number, res: http.ServerResponse) => (n === 1 ? json(res, 503) : undefined)],
    ['a reset during the PUT', (n: number, res: http.ServerResponse) => (n === 1 ? void res.socket?.destroy() : undefined)],
    [
      'a session the registry lost',
      (n: number, res: http.ServerResponse) => (n === 1 ? json(res, 404, errors('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown')) : undefined),
    ],
  ])('after %s, starts again from a new session', async (_what, fault) => {
    let n = 0;
    let opened = 0;
    handler = (req, res) => {
      if (fault(n++, res) !== undefined || res.headersSent || res.destroyed) return;
      if (req.method === 'POST') return json(res, 202, {}, { location: `/v2/acme/w/blobs/uploads/s${n}` });
      json(res, 201);
    };
    await client().uploadBlob('acme/w', digestOf(blob), blob.length, () => (opened++, Buffer.from(blob)));
    const posts = lines().filter((l) => l.startsWith('POST'));
    expect(posts).toHaveLength(2);
    // The content is opened afresh for each PUT.
    expect(opened).toBe(lines().filter((l) => l.startsWith('PUT')).length);
    expect(lines().at(-1)).toMatch(/^PUT \/v2\/acme\/w\/blobs\/uploads\/s\d\?digest=/);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/; retrying with a new upload session in 0\.001 s \(attempt 2 of 3\)$/);
  });

  it('a fault that persists fails with the registry words, within the bound', async () => {
    handler = (req, res) =>
      req.method === 'POST'
        ? json(res, 202, {}, { location: '/v2/acme/w/blobs/uploads/s' })
        : json(res, 503, errors('UNAVAILABLE', 'service unavailable'));
    await expect(client().uploadBlob('acme/w', digestOf(blob), blob.length, () => Buffer.from(blob))).rejects.toThrow(
      `uploading ${digestOf(blob)} (11 bytes) to acme/w: HTTP 503: unavailable: service unavailable`,
    );
    expect(lines().filter((l) => l.startsWith('PUT'))).toHaveLength(3);
  });

  it('streams a Node stream and a web stream as the PUT body, with its length', async () => {
    const big = 'x'.repeat(3 * 65536 + 7);
    handler = (req, res) => (req.method === 'POST' ? json(res, 202, {}, { location: '/v2/acme/w/blobs/uploads/s' }) : json(res, 201));
    await client().uploadBlob('acme/w', digestOf(big), big.length, () => Readable.from([big.slice(0, 1000), big.slice(1000)]));
    await client().uploadBlob('acme/w', digestOf(big), big.length, () => new Response(big).body as ReadableStream);
    expect(sent.filter((s) => s.method === 'PUT').map((s) => s.body.length)).toEqual([big.length, big.length]);
  });

  it('a PUT answered 401 (the token expired mid-push) is sent again with a fresh token and the content opened afresh', async () => {
    const big = 'y'.repeat(2 * 65536 + 3);
    let tokens = 0;
    handler = (req, res) => {
      if (req.url.startsWith('/token')) return json(res, 200, { token: `t${++tokens}` });
      const challenge = { 'www-authenticate': `Bearer realm="http://${host}/token",service="test"` };
      if (!req.auth.startsWith('Bearer ')) return json(res, 401, errors('UNAUTHORIZED', 'authentication required'), challenge);
      if (req.method === 'POST') return json(res, 202, {}, { location: '/v2/acme/w/blobs/uploads/s' });
      // The first token has expired by the time the layer arrives.
      if (req.auth === 'Bearer t1') return json(res, 401, errors('UNAUTHORIZED', 'token expired'), challenge);
      json(res, 201);
    };
    let opened = 0;
    const open = () => {
      opened += 1;
      return Readable.from([big.slice(0, 5000), big.slice(5000)]);
    };
    await client().uploadBlob('acme/w', digestOf(big), big.length, open);
    const puts = sent.filter((x) => x.method === 'PUT');
    expect(puts.map((x) => [x.auth, x.body.length])).toEqual([
      ['Bearer t1', big.length],
      ['Bearer t2', big.length],
    ]);
    expect(opened).toBe(2);
  });

  it('an upload the registry cut at its time limit is not started again, and says what to do', async () => {
    handler = (req, res) =>
      req.method === 'POST'
        ? json(res, 202, {}, { location: '/v2/acme/w/blobs/uploads/s' })
        : void setTimeout(() => res.socket?.destroy(), 60);
    const limited = new RegistryClient(host, { username: 'acme', secret: 'pw' }, { retry, limits: { uploadMs: 50 } });
    await expect(limited.uploadBlob('acme/w', digestOf(blob), blob.length, () => Readable.from([blob]))).rejects.toThrow(
      /was ended after 0 minutes: 127\.0\.0\.1:\d+ ends an upload after 0 minutes.*not retried\. Split what that layer holds/,
    );
    expect(lines().filter((l) => l.startsWith('PUT'))).toHaveLength(1);
  });

  it('read whole, following a redirect to another origin without the credential', async () => {
    handler = withTokens((_req, res) => void res.writeHead(307, { location: `${otherUrl}/signed?sig=1` }).end());
    expect((await client().blob('acme/w', digestOf('config bytes'))).toString()).toBe('config bytes');
    expect(sent.at(-1)).toMatchObject({ url: '/signed?sig=1', auth: '' });
  });

  it('a redirect within the registry keeps the credential; the one that leaves it drops it', async () => {
    handler = withTokens((req, res) =>
      req.url.includes('/blobs/')
        ? void res.writeHead(302, { location: '/moved/here' }).end()
        : void res.writeHead(307, { location: `${otherUrl}/signed?sig=2` }).end(),
    );
    expect((await client().blob('acme/w', digestOf('config bytes'))).toString()).toBe('config bytes');
    // The first GET meets the registry's challenge; the second carries the token.
    expect(sent.filter((s) => !s.url.startsWith('/token')).map((s) => [s.url, s.auth.split(' ')[0]])).toEqual([
      [`/v2/acme/w/blobs/${digestOf('config bytes')}`, ''],
      [`/v2/acme/w/blobs/${digestOf('config bytes')}`, 'Bearer'],
      ['/moved/here', 'Bearer'],
      ['/signed?sig=2', ''],
    ]);
  });

  it('a redirect that goes on and on ends with an error naming it', async () => {
    handler = withTokens((req, res) => void res.writeHead(307, { location: `${req.url}x` }).end());
    await expect(client().blob('acme/w', digestOf('config bytes'))).rejects.toThrow('more than 5 redirects');
    expect(sent.filter((s) => s.auth.startsWith('Bearer'))).toHaveLength(6);
  });

  it("a write's redirect is not followed: the body is not sent elsewhere", async () => {
    handler = withTokens((_req, res) => void res.writeHead(307, { location: `${otherUrl}/elsewhere` }).end());
    await expect(client().putManifest('acme/w', 'latest', { body: Buffer.from('{}'), mediaType: 'x' })).rejects.toThrow('HTTP 307');
    expect(sent.some((s) => s.url === '/elsewhere')).toBe(false);
  });

  it('a mount the registry declines opens a session, which is cancelled; a 405 there is no error', async () => {
    handler = (req, res) =>
      req.method === 'POST'
        ? json(res, 202, {}, { location: '/v2/acme/to/blobs/uploads/s' })
        : json(res, 405, errors('UNSUPPORTED', 'unsupported'));
    expect(await client(false).mountBlob('acme/to', digestOf('x'), 'acme/from')).toBe(false);
    expect(lines().at(-1)).toBe('DELETE /v2/acme/to/blobs/uploads/s');
  });
});

describe("the registry's words", () => {
  it('are formatted as the docker client prints them', async () => {
    handler = (_req, res) => json(res, 403, errors('DENIED', 'permission_denied: write_package'));
    const err = await client(false)
      .checkPush('acme/w')
      .catch((e: RegistryError) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).registryMessage).toBe('denied: permission_denied: write_package');
  });

  it('without a body, are the status line', async () => {
    const err = await registryError(new Response(null, { status: 502, statusText: 'Bad Gateway' }), 'pushing');
    expect(err.message).toBe('pushing: HTTP 502: Bad Gateway');
  });

  it('parse Bearer and Basic challenges', () => {
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="registry"').scheme).toBe('basic');
  });
});
