import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { httpRequest } from '../../src/registry/http-request.js';
import { isTransient } from '../../src/registry/http-retry.js';

// What the server saw of each request, and a way to hold an answer half sent.
const seen: { method: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
let release: () => void = () => undefined;
let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/half') {
        res.writeHead(200, { 'content-length': '10' }).write('first');
        release = () => res.end('-rest');
      } else if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '100' }).write('partial', () => req.socket.destroy());
      } else {
        res.setHeader('docker-content-digest', 'sha256:abc');
        res.setHeader('link', ['<a>', '<b>']);
        res.writeHead(201).end(req.method === 'HEAD' ? undefined : '{"ok":true}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

describe('a request', () => {
  it('sends the method, the headers and the bytes with their length, and says who it is', async () => {
    const res = await httpRequest('PUT', `${base}/put`, { 'Content-Type': 'application/json' }, '{"a":1}', { timeoutMs: 2000 });
    const got = seen.at(-1)!;
    expect(got).toMatchObject({ method: 'PUT', body: '{"a":1}' });
    expect(got.headers).toMatchObject({ 'content-type': 'application/json', 'content-length': '7', 'user-agent': 'ghcr-publish' });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('streams a body from a stream', async () => {
    const res = await httpRequest('PUT', `${base}/stream`, {}, Readable.from(['la', 'yer']), { timeoutMs: 2000 });
    expect(seen.at(-1)!.body).toBe('layer');
    expect(res.status).toBe(201);
  });

  it('reads headers by any case, several values joined; a HEAD has no body', async () => {
    const res = await httpRequest('HEAD', `${base}/head`, {}, undefined, { timeoutMs: 2000 });
    expect(res.headers.get('Docker-Content-Digest')).toBe('sha256:abc');
    expect(res.headers.get('link')).toBe('<a>, <b>');
    expect(res.headers.has('location')).toBe(false);
    expect(res.headers.get('location')).toBeNull();
    expect(res.body).toBeNull();
  });
});

describe('the answer', () => {
  it('streamed: its first bytes are there before the registry has sent the rest', async () => {
    const res = await httpRequest('GET', `${base}/half`, {}, undefined, { timeoutMs: 2000, streamAnswer: true });
    const reader = res.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('first');
    release();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('-rest');
    expect((await reader.read()).done).toBe(true);
  });

  it('cut off while read whole: a failure worth another try', async () => {
    const failure = await httpRequest('GET', `${base}/cut`, {}, undefined, { timeoutMs: 2000 }).catch((e: Error) => e);
    expect(failure).toMatchObject({ code: 'ECONNRESET' });
    expect(isTransient(failure)).toBe(true);
  });

  it('none in time: a TimeoutError, worth another try', async () => {
    const failure = await httpRequest('GET', `${base}/half`, {}, undefined, { timeoutMs: 200 }).catch((e: Error) => e);
    release();
    expect(failure).toMatchObject({ name: 'TimeoutError' });
    expect(isTransient(failure)).toBe(true);
  });
});

describe('a proxy the runner names', () => {
  // A forward proxy: it takes absolute-form requests and passes them on.
  const proxied: string[] = [];
  let proxy: http.Server;
  let proxyUrl: string;
  beforeAll(async () => {
    proxy = http.createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      const onward = http.request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(onward);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    proxy.closeAllConnections();
    return new Promise((r) => proxy.close(r));
  });

  it('is gone through (HTTP_PROXY)', async () => {
    const res = await httpRequest('GET', `${base}/via`, {}, undefined, { timeoutMs: 2000, env: { HTTP_PROXY: proxyUrl } });
    expect(res.status).toBe(201);
    expect(proxied).toContain(`GET ${base}/via`);
  });

  it('is not, for a host NO_PROXY names', async () => {
    const env = { HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' };
    const res = await httpRequest('GET', `${base}/direct`, {}, undefined, { timeoutMs: 2000, env });
    expect(res.status).toBe(201);
    expect(proxied.some((p) => p.endsWith('/direct'))).toBe(false);
    expect(seen.length).toBeGreaterThan(0);
  });
});
