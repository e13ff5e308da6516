import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubApiError, createPackagesApi } from '../../src/github/github-api.js';
import type { RetryPolicy } from '../../src/registry/http-retry.js';
import { freePort } from '../support/registry.js';

type Handler = (req: http.IncomingMessage, url: URL) => { status: number; body?: unknown; headers?: Record<string, string> };

/** A loopback API answering with `handler`; every request is recorded as `METHOD path?query`. */
let handler: Handler = () => ({ status: 500 });
const requests: string[] = [];
const auth: string[] = [];
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push(`${req.method} ${url.pathname}${url.search}`);
  auth.push(req.headers.authorization ?? '');
  const answer = handler(req, url);
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise((r) => server.close(r)));

const waits: number[] = [];
const retry: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 5000, sleep: async (ms) => void waits.push(ms) };
function fresh(h: Handler) {
  handler = h;
  requests.length = 0;
  auth.length = 0;
  waits.length = 0;
  return createPackagesApi(base, 'ghs_secret', retry);
}

const version = (id: number, tags: string[] = []) => ({
  id,
  name: `sha256:${id}`,
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-02T00:00:00Z',
  metadata: { package_type: 'container', container: { tags } },
});

describe('the owner: an organization, else a user', () => {
  it('asks /orgs, then /users on 404, with the nested name escaped, and remembers', async () => {
    const api = fresh((_req, url) =>
      url.pathname.startsWith('/api/users/')
        ? { status: 200, body: url.pathname.endsWith('/versions') ? [] : { html_url: 'page', visibility: 'public', repository: null } }
        : { status: 404, body: { message: 'Not Found' } },
    );
    expect(await api.getPackage('octocat', 'container', 'tools/cli')).toEqual({ html_url: 'page', visibility: 'public', repository: null });
    await api.listVersions('octocat', 'container', 'tools/cli');
    expect(requests).toEqual([
      'GET /api/orgs/octocat/packages/container/tools%2Fcli',
      'GET /api/users/octocat/packages/container/tools%2Fcli',
      'GET /api/users/octocat/packages/container/tools%2Fcli/versions?per_page=100',
    ]);
    expect(auth[0]).toBe('token ghs_secret');
  });

  it('a package found under neither is GitHub 404, with its words', async () => {
    const api = fresh(() => ({ status: 404, body: { message: 'Package not found.', documentation_url: 'https://docs.github.com/rest' } }));
    const e = (await api.getPackage('acme', 'docker', 'api').catch((x: unknown) => x)) as GitHubApiError;
    expect(e).toBeInstanceOf(GitHubApiError);
    expect(e.message).toBe('the GitHub API answered HTTP 404 (Package not found.)');
    expect(requests).toEqual(['GET /api/orgs/acme/packages/docker/api', 'GET /api/users/acme/packages/docker/api']);
  });
});

describe('versions', () => {
  it('are listed over every page the Link header names', async () => {
    const api = fresh((_req, url) => {
      const page = Number(url.searchParams.get('page') ?? '1');
      const next =
        page < 3 ? { link: `<${base}/orgs/acme/packages/container/widget/versions?per_page=100&page=${page + 1}>; rel="next"` } : undefined;
      return { status: 200, body: [version(page * 10, page === 1 ? ['latest'] : [])], headers: next };
    });
    const all = await api.listVersions('acme', 'container', 'widget');
    expect(all).toEqual({
      complete: true,
      versions: [
        { id: 10, name: 'sha256:10', createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-02T00:00:00Z', tags: ['latest'] },
        { id: 20, name: 'sha256:20', createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-02T00:00:00Z', tags: [] },
        { id: 30, name: 'sha256:30', createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-02T00:00:00Z', tags: [] },
      ],
    });
    expect(requests).toHaveLength(3);
  });

  it('stop at the pages asked for, saying that more were left', async () => {
    const api = fresh((_req, url) => {
      const page = Number(url.searchParams.get('page') ?? '1');
      return {
        status: 200,
        body: [version(page)],
        headers: { link: `<${base}/orgs/acme/packages/container/widget/versions?per_page=100&page=${page + 1}>; rel="next"` },
      };
    });
    const listed = await api.listVersions('acme', 'container', 'widget', 2);
    expect([listed.complete, listed.versions.map((v) => v.id)]).toEqual([false, [1, 2]]);
    expect(requests).toHaveLength(2);
  });

  it('are deleted by id', async () => {
    const api = fresh(() => ({ status: 204 }));
    await api.deleteVersion('acme', 'container', 'tools/cli', 42);
    expect(requests).toEqual(['DELETE /api/orgs/acme/packages/container/tools%2Fcli/versions/42']);
  });
});

describe('retries', () => {
  it('ride out 5xx', async () => {
    let n = 0;
    const api = fresh(() => (++n <= 2 ? { status: n === 1 ? 503 : 502, body: { message: 'busy' } } : { status: 204 }));
    await api.deleteVersion('acme', 'container', 'widget', 1);
    expect(requests).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it('never wait out a rate limit: its end is told, for the caller to stop', async () => {
    const api = fresh(() => ({ status: 429, body: { message: 'Too many requests' }, headers: { 'retry-after': '30' } }));
    const before = Date.now();
    const e = (await api.deleteVersion('acme', 'container', 'widget', 1).catch((x: unknown) => x)) as GitHubApiError;
    expect(requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(e.rateLimited).toBe(true);
    expect((e.limitEnds?.getTime() ?? 0) - before).toBeGreaterThanOrEqual(30_000);
  });

  it.each([401, 403, 404, 422])('never on %i', async (status) => {
    const api = fresh(() => ({ status, body: { message: 'no' } }));
    await expect(api.deleteVersion('acme', 'container', 'widget', 1)).rejects.toThrow(`HTTP ${status} (no)`);
    // A 404 under /orgs asks /users once; nothing is asked twice.
    expect(requests).toHaveLength(status === 404 ? 2 : 1);
    expect(waits).toEqual([]);
  });

  it('stop at the bound, with the last answer', async () => {
    const api = fresh(() => ({ status: 502, body: { message: 'Bad Gateway' } }));
    await expect(api.getPackage('acme', 'container', 'widget')).rejects.toThrow('the GitHub API answered HTTP 502 (Bad Gateway)');
    expect(requests).toHaveLength(3);
  });

  it('and a network that does not answer is status 0, after the bound', async () => {
    const api = createPackagesApi(`http://127.0.0.1:${await freePort()}/api`, 'ghs_secret', retry);
    waits.length = 0;
    const e = (await api.listVersions('acme', 'container', 'widget').catch((x: unknown) => x)) as GitHubApiError;
    expect(e.status).toBe(0);
    expect(e.message).toMatch(/^the GitHub API could not be reached \(.*ECONNREFUSED/);
    expect(waits).toHaveLength(2);
  });
});

describe('rate limits', () => {
  it.each([
    [
      '403 with no requests left',
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' },
      'API rate limit exceeded for installation',
      true,
    ],
    ['a secondary limit', 403, { 'retry-after': '60' }, 'You have exceeded a secondary rate limit', true],
    ['429', 429, {}, 'Too many requests', true],
    ['a plain 403', 403, { 'x-ratelimit-remaining': '4999' }, 'Resource not accessible by integration', false],
  ])('%s', async (_what, status, headers, message, limited) => {
    const api = fresh(() => ({ status, body: { message }, headers }));
    const e = (await api.deleteVersion('acme', 'container', 'widget', 1).catch((x: unknown) => x)) as GitHubApiError;
    expect([e.status, e.githubMessage, e.rateLimited]).toEqual([status, message, limited]);
    expect(requests).toHaveLength(1);
  });

  it('a primary limit ends when x-ratelimit-reset says', async () => {
    const api = fresh(() => ({
      status: 403,
      body: { message: 'API rate limit exceeded' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' },
    }));
    const e = (await api.listVersions('acme', 'container', 'widget').catch((x: unknown) => x)) as GitHubApiError;
    expect(e.limitEnds?.toISOString()).toBe('2030-03-17T17:46:40.000Z');
  });
});
