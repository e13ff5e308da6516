import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchWithRetry } from '../src/http-retry.js';
import { parseChallenge, registryError } from '../src/registry-client.js';

const policy = { attempts: 3, baseDelayMs: 1, timeoutMs: 2000, sleep: async () => undefined };

// A server whose answers the test scripts, one per request, counting requests per path.
let server: http.Server;
let base: string;
const script = new Map<string, number[]>();
const seen = new Map<string, number>();
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '';
    seen.set(path, (seen.get(path) ?? 0) + 1);
    const status = script.get(path)?.shift() ?? 200;
    if (status === 0) return req.socket.destroy();
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('retries', () => {
  it.each([
    ['a 503 then success', '/a', [503, 200], 200, 2],
    ['429 twice then success', '/b', [429, 429, 200], 200, 3],
    ['a reset connection then success', '/c', [0, 200], 200, 2],
    ['5xx every time, bounded', '/d', [500, 500, 500, 500], 500, 3],
    ['never a 401', '/e', [401, 200], 401, 1],
    ['never a 403', '/f', [403, 200], 403, 1],
    ['never a 404', '/g', [404, 200], 404, 1],
  ])('%s', async (_what, path, answers, status, requests) => {
    script.set(path, [...answers]);
    const res = await fetchWithRetry(`${base}${path}`, {}, policy);
    expect(res.status).toBe(status);
    expect(seen.get(path)).toBe(requests);
  });

  it('says how often it tried when the network never answers', async () => {
    script.set('/h', [0, 0, 0]);
    await expect(fetchWithRetry(`${base}/h`, {}, policy)).rejects.toThrow('failed after 3 attempts');
  });
});

describe("the registry's words", () => {
  it('are formatted as the docker client prints them', async () => {
    script.set('/i', [403]);
    const err = await registryError(await fetchWithRetry(`${base}/i`, {}, policy), 'starting an upload');
    expect(err.status).toBe(403);
    expect(err.registryMessage).toBe('denied: permission_denied: write_package');
  });

  it('parse Bearer and Basic challenges', () => {
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="registry"').scheme).toBe('basic');
  });
});
