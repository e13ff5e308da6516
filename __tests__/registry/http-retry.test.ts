import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { type RetryPolicy, requestWithRetry, retryDelay } from '../../src/registry/http-retry.js';
import { statedWait } from '../../src/registry/rate-limit.js';

// An answer the test scripts: a status (with an optional Retry-After, other headers, a body of its own), a reset socket, or silence.
type Answer = number | { status: number; retryAfter?: string; headers?: Record<string, string>; body?: string } | 'reset' | 'hang';

const DENIED = '{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}';
let server: http.Server;
let base: string;
const script = new Map<string, Answer[]>();
const bodies = new Map<string, string[]>();
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.set(path, [...(bodies.get(path) ?? []), Buffer.concat(chunks).toString()]);
      const answer = script.get(path)?.shift() ?? 200;
      if (answer === 'reset') return req.socket.destroy();
      if (answer === 'hang') return;
      const status = typeof answer === 'number' ? answer : answer.status;
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(typeof answer === 'object' ? answer.headers : {}) };
      if (typeof answer === 'object' && answer.retryAfter) headers['retry-after'] = answer.retryAfter;
      const body = typeof answer === 'object' && answer.body !== undefined ? answer.body : DENIED;
      res.writeHead(status, headers).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

// Sleep is recorded, never waited for.
let slept: number[];
let told: string[];
const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({
  attempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 10_000,
  timeoutMs: 2000,
  sleep: async (ms) => void slept.push(ms),
  onRetry: (m) => void told.push(m),
  ...over,
});
beforeEach(() => {
  slept = [];
  told = [];
});
const requests = (path: string) => bodies.get(path)?.length ?? 0;

describe('what is retried', () => {
  it.each<[string, string, Answer[], number, number]>([
    ['a 503, then success', '/a', [503], 200, 2],
    ['429 twice, then success', '/b', [429, 429], 200, 3],
    ['a 500 and a 502, then success', '/c', [500, 502], 200, 3],
    ['a reset connection, then success', '/d', ['reset'], 200, 2],
    ['5xx every time, within the bound', '/e', [500, 500, 500, 500], 500, 3],
    ['never a 401', '/f', [401], 401, 1],
    ['never a 403', '/g', [403], 403, 1],
    ['never a 404', '/h', [404], 404, 1],
    ['never a 400', '/i', [400], 400, 1],
  ])('%s', async (_what, path, answers, status, count) => {
    script.set(path, [...answers]);
    const res = await requestWithRetry(`${base}${path}`, {}, policy());
    expect(res.status).toBe(status);
    expect(requests(path)).toBe(count);
    expect(told).toHaveLength(count - 1);
  });

  it('a request without an answer in time', async () => {
    script.set('/timeout', ['hang']);
    const res = await requestWithRetry(`${base}/timeout`, {}, policy({ timeoutMs: 200 }));
    expect(res.status).toBe(200);
    expect(told).toEqual([`GET ${base}/timeout failed (no answer in time); retrying in 0.1 s (attempt 2 of 3)`]);
  });

  it('not a failure of the caller: a body that cannot be opened is thrown at once', async () => {
    const open = () => {
      throw new Error('ENOENT: no such file');
    };
    await expect(requestWithRetry(`${base}/open`, { method: 'PUT', body: open }, policy())).rejects.toThrow('ENOENT');
    expect(requests('/open')).toBe(0);
    expect(slept).toEqual([]);
  });
});

describe('how long it waits', () => {
  it('backs off from the base delay, doubling up to the cap', async () => {
    script.set('/backoff', [503, 503, 503, 503, 503]);
    await requestWithRetry(`${base}/backoff`, {}, policy({ attempts: 5, maxDelayMs: 300 }));
    expect(slept).toEqual([100, 200, 300, 300]);
  });

  it('as long as Retry-After asks, in seconds', async () => {
    script.set('/after', [{ status: 429, retryAfter: '3', body: '' }]);
    await requestWithRetry(`${base}/after`, {}, policy());
    expect(slept).toEqual([3000]);
    expect(told).toEqual([`GET ${base}/after answered 429 Too Many Requests (a rate limit); retrying in 3 s (attempt 2 of 3)`]);
  });

  it('until the HTTP date Retry-After names', async () => {
    const when = new Date(Date.now() + 5000).toUTCString();
    script.set('/date', [{ status: 503, retryAfter: when }]);
    await requestWithRetry(`${base}/date`, {}, policy());
    // An HTTP date has whole seconds.
    expect(slept[0]).toBeGreaterThan(3000);
    expect(slept[0]).toBeLessThanOrEqual(5000);
  });

  it.each([
    ['a long Retry-After, at most a minute', '600', 60_000],
    ['a date in the past, not at all', 'Thu, 01 Jan 2015 00:00:00 GMT', 0],
    ['a Retry-After that means nothing, the backoff', 'soon', 400],
  ])('%s', (_what, header, ms) => {
    expect(retryDelay(policy(), 3, header)).toBe(ms);
  });
});

describe('what it says', () => {
  it('names the request, the answer, the wait and the attempt', async () => {
    script.set('/v2/acme/w/manifests/1.2.3', [503, 'reset']);
    await requestWithRetry(`${base}/v2/acme/w/manifests/1.2.3`, { method: 'PUT', body: '{}' }, policy());
    expect(told).toEqual([
      `PUT ${base}/v2/acme/w/manifests/1.2.3 answered 503 Service Unavailable; retrying in 0.1 s (attempt 2 of 3)`,
      `PUT ${base}/v2/acme/w/manifests/1.2.3 failed (ECONNRESET: socket hang up); retrying in 0.2 s (attempt 3 of 3)`,
    ]);
  });

  it('leaves out the query, which may carry a signature', async () => {
    script.set('/q?sig=secret', [503]);
    await requestWithRetry(`${base}/q?sig=secret`, {}, policy());
    expect(told[0]).toContain(`GET ${base}/q answered 503`);
    expect(told[0]).not.toContain('secret');
  });

  it('when the network never answers: the request, the attempts and the cause', async () => {
    script.set('/down', ['reset', 'reset', 'reset']);
    await expect(requestWithRetry(`${base}/down`, { method: 'POST' }, policy())).rejects.toThrow(
      `POST ${base}/down failed after 3 attempts: ECONNRESET: socket hang up`,
    );
    expect(requests('/down')).toBe(3);
  });
});

describe('bodies', () => {
  it('bytes are sent again whole', async () => {
    script.set('/bytes', [503]);
    await requestWithRetry(`${base}/bytes`, { method: 'PUT', body: Buffer.from('layer bytes') }, policy());
    expect(bodies.get('/bytes')).toEqual(['layer bytes', 'layer bytes']);
  });

  it('a stream is opened afresh for each attempt', async () => {
    script.set('/stream', [502, 'reset']);
    let opened = 0;
    const open = () => {
      opened++;
      return Readable.from([Buffer.from('part one, '), Buffer.from('part two')]);
    };
    const res = await requestWithRetry(`${base}/stream`, { method: 'PUT', body: open, headers: { 'Content-Length': '18' } }, policy());
    expect(res.status).toBe(200);
    expect(opened).toBe(3);
    expect(bodies.get('/stream')?.at(-1)).toBe('part one, part two');
  });
});

describe('rate limits', () => {
  // GitHub's words for a push it throttles (markrussinovich/refchecker#67) and ghcr.io's for an
  // upload rate limit, with the wait in the body (chainguard-images/images#173).
  const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  const body = (code: string, message: string) => JSON.stringify({ errors: [{ code, message }] });

  it.each<[string, Answer, number]>([
    ['a 403 secondary rate limit, from a longer first wait', { status: 403, body: body('DENIED', SECONDARY) }, 5000],
    [
      'a 429 whose body states the wait (ms)',
      { status: 429, body: body('TOOMANYREQUESTS', 'retry-after: 10.3ms, allowed: 2000/minute') },
      10.3,
    ],
    ['a 429 whose body states the wait (a Go duration)', { status: 429, body: body('TOOMANYREQUESTS', 'retry-after: 1m30s') }, 60_000],
    [
      'a 403 with x-ratelimit-remaining: 0',
      { status: 403, body: '{"message":"API rate limit exceeded"}', headers: { 'x-ratelimit-remaining': '0' } },
      5000,
    ],
    ['a 403 whose Retry-After asks for 2 s', { status: 403, body: '{}', headers: { 'retry-after': '2' } }, 2000],
    [
      'a 429 whose header and body disagree: the header',
      { status: 429, body: body('TOOMANYREQUESTS', 'retry-after: 10ms'), headers: { 'retry-after': '1' } },
      1000,
    ],
  ])('%s is retried', async (_what, answer, wait) => {
    const path = `/rate-${encodeURIComponent(_what)}`;
    script.set(path, [answer]);
    const res = await requestWithRetry(`${base}${path}`, { method: 'POST' }, policy());
    expect(res.status).toBe(200);
    expect(requests(path)).toBe(2);
    expect(slept).toEqual([wait]);
    expect(told[0]).toContain('(a rate limit');
  });

  it('a rate limit that persists backs off, doubling up to a minute, and its answer is read whole', async () => {
    const limited: Answer = { status: 403, body: body('DENIED', SECONDARY) };
    script.set('/persisting', [limited, limited, limited, limited, limited]);
    const res = await requestWithRetry(`${base}/persisting`, {}, policy({ attempts: 5, rateLimitDelayMs: 20_000 }));
    expect(res.status).toBe(403);
    expect(slept).toEqual([20_000, 40_000, 60_000, 60_000]);
    expect(await res.text()).toContain('secondary rate limit');
  });

  it('a 403 that refuses is answered at once, its words intact', async () => {
    script.set('/refused', [{ status: 403, body: body('DENIED', 'permission_denied: write_package') }]);
    const res = await requestWithRetry(`${base}/refused`, {}, policy());
    expect(res.status).toBe(403);
    expect(requests('/refused')).toBe(1);
    expect(slept).toEqual([]);
    expect(await res.text()).toContain('write_package');
  });

  it.each([
    ['toomanyrequests: retry-after: 10.3ms, allowed: 2000/minute', 10.3],
    ['retry-after: 2s', 2000],
    ['Retry-After: 3', 3000],
    ['retry-after: 1h', 3_600_000],
    ['retry after a while', undefined],
    ['no wait at all', undefined],
  ])('the wait %j states: %p ms', (text, ms) => {
    expect(statedWait(text)).toBe(ms);
  });
});
