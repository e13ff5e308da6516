import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { defaultRetry } from '../../src/registry/http-retry.js';
import { RegistryClient } from '../../src/registry/registry-client.js';
import { type InterceptingProxy, startInterceptingProxy } from '../support/tls-proxy.ts';
import { type TestRegistry, startRegistry } from '../support/registry.ts';
import { tempDir } from '../../__fixtures__/temp-dir.js';

// A self-hosted runner behind a proxy: the action's calls to https://ghcr.io go through
// HTTPS_PROXY (CONNECT, then TLS to the registry's name). The intercepting proxy answers CONNECT
// for ghcr.io only, with a throw-away CA this process trusts, and hands the decrypted requests to a
// relay in front of a real Distribution registry, which sees them as ghcr.io's (Host, https).
const USER = 'robot';
const SECRET = 'ghp_proxiedRobotToken0001';
let registry: TestRegistry;
let proxy: InterceptingProxy;
const relayed: string[] = [];
const savedEnv = { ...process.env };
const savedCAs = tls.getCACertificates('default');

beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { [USER]: SECRET } });
  const relay = http.createServer((req, res) => {
    relayed.push(`${req.method} ${req.url?.replace(/\?.*$/, '')}`);
    const onward = http.request(
      `${registry.url}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: 'ghcr.io', 'x-forwarded-proto': 'https' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(onward);
  });
  proxy = await startInterceptingProxy(tempDir('proxy-'), ['ghcr.io'], relay);
  tls.setDefaultCACertificates([...savedCAs, readFileSync(proxy.caFile, 'utf8')]);
  // Read when the client's first request makes its agent.
  process.env.HTTPS_PROXY = proxy.url;
  process.env.NO_PROXY = 'localhost';
});
afterAll(async () => {
  process.env = savedEnv;
  tls.setDefaultCACertificates(savedCAs);
  await proxy.stop();
  await registry.stop();
});

describe('ghcr.io behind the runner’s proxy', () => {
  it('is reached through it: push check, a streamed layer, a manifest under a tag, read back', async () => {
    const client = new RegistryClient('ghcr.io', { username: USER, secret: SECRET }, { retry: defaultRetry });
    await client.checkPush('acme/widget');

    const layer = Buffer.alloc(3 * 1024 * 1024, 7);
    const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    await client.uploadBlob('acme/widget', digest, layer.length, () => Readable.from([layer]));
    const config = Buffer.from('{}');
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    await client.uploadBlob('acme/widget', configDigest, config.length, () => Readable.from([config]));
    const manifest = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      body: Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: layer.length }],
        }),
      ),
    };
    const stored = await client.putManifest('acme/widget', 'v1', manifest);
    expect((await client.manifest('acme/widget', 'v1')).digest).toBe(stored);
    expect(await client.blobExists('acme/widget', digest)).toBe(true);

    // Every call went through the proxy to ghcr.io by its name, the layer's PUT among them.
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.connects)).toEqual(new Set(['CONNECT ghcr.io:443']));
    expect(proxy.refused).toEqual([]);
    expect(relayed).toContain('POST /v2/acme/widget/blobs/uploads/');
    expect(relayed.some((r) => r.startsWith('PUT /v2/acme/widget/blobs/uploads/'))).toBe(true);
    expect(relayed).toContain('PUT /v2/acme/widget/manifests/v1');
  });
});
