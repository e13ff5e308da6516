import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { hasTag, rawManifest } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// A registry's worst day, met by the bundled action through a fault-injecting proxy; every
// assertion reads the registry itself (skopeo, straight to the registry, not through the proxy).
const TOKEN = 'ghs_resilienceTestToken0123456789abc';
const CREDS = `octo-bot:${TOKEN}`;
const BLOB_POST = /^\/v2\/.+\/blobs\/uploads\/$/;
const BLOB_PUT = /^\/v2\/.+\/blobs\/uploads\/[^?]+\?/;
const MANIFEST = /^\/v2\/.+\/manifests\/[^/]+$/;

let registry: TestRegistry;
let proxy: FaultProxy;
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
  proxy = await startFaultProxy(registry.url);
});
afterAll(async () => {
  await proxy.stop();
  await registry.stop();
});
beforeEach(() => proxy.clear());

function workspace(runner: Runner, content: string): void {
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(runner.workspace, 'hello.txt'), content);
}

const github = (repo: string): GitHub => ({ repository: `acme/${repo}`, actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' });
const at = (repo: string, tag: string) => `${registry.host}/acme/${repo}:${tag}`;
const failure = (step: StepResult) =>
  step.stdout
    .split('\n')
    .filter((l) => /^::error[^:]*::/.test(l))
    .join('\n')
    .replace(/%0A/g, '\n');

async function heldEverywhere(repo: string, tags: string[], digest: string): Promise<void> {
  for (const tag of tags) expect((await rawManifest(at(repo, tag), CREDS)).digest).toBe(digest);
}

describe("the action's own push (buildx, an OCI layout)", () => {
  it('survives a 503 on the blob POST, a reset mid-upload and a 429 with Retry-After on a manifest PUT, and says what it retried', async () => {
    const runner = new Runner();
    workspace(runner, `transient ${Date.now()}\n`);
    proxy.inject({ method: 'POST', path: BLOB_POST, fault: { status: 503 }, times: 1 });
    proxy.inject({ method: 'PUT', path: BLOB_PUT, fault: 'reset', times: 1 });
    proxy.inject({ method: 'PUT', path: MANIFEST, fault: { status: 429, retryAfter: '1' }, times: 1 });
    const main = await runner.main(github('transient'), { registry: proxy.host, tags: 'one,two,three' });
    expect(failure(main)).toBe('');
    expect(main.exitCode).toBe(0);
    await heldEverywhere('transient', ['one', 'two', 'three'], main.outputs.digest);
    expect(main.stdout).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/transient\/blobs\/uploads\/ answered 503 Service Unavailable; retrying in/,
    );
    expect(main.stdout).toMatch(/manifests\/\S+ answered 429 Too Many Requests \(a rate limit: [^)]*\); retrying in 1 s/);
    expect(main.stdout).toMatch(/failed \([^)]*\); retrying/);
    expect(main.dockerCalls.filter((c) => c.startsWith('push '))).toEqual([]);
  });

  it('a fault that persists fails the step with the registry’s words, naming the tags that did and did not land', async () => {
    const runner = new Runner();
    workspace(runner, `persistent ${Date.now()}\n`);
    proxy.inject({
      method: 'PUT',
      path: /\/manifests\/broken$/,
      fault: { status: 503, message: 'the storage backend is down' },
      times: Infinity,
    });
    const main = await runner.main(github('persistent'), { registry: proxy.host, tags: 'fine,broken' });
    expect(main.exitCode).toBe(1);
    expect(failure(main)).toContain('the storage backend is down');
    expect(failure(main)).toMatch(/Not set: broken/);
    expect(failure(main)).toMatch(/Set: fine/);
    expect(main.outputs.digest ?? '').toBe('');
    expect(await hasTag(at('persistent', 'broken'), CREDS)).toBe(false);
    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/manifests/broken'))).toHaveLength(4);
  });

  it('401 everywhere is never retried: it fails at the push check, before anything is built', async () => {
    const runner = new Runner();
    workspace(runner, `refused ${Date.now()}\n`);
    proxy.inject({ method: 'GET', path: /./, fault: { status: 401 }, times: Infinity });
    proxy.inject({ method: 'POST', path: /./, fault: { status: 401 }, times: Infinity });
    const before = proxy.requests.length;
    const main = await runner.main(github('refused'), { registry: proxy.host, tags: 'x' });
    expect(main.exitCode).toBe(1);
    expect(main.dockerCalls.some((c) => c.startsWith('buildx build'))).toBe(false);
    // The ping, the upload answered 401, that answered once with Basic: three requests, no retry.
    expect(proxy.requests.length - before).toBeLessThanOrEqual(3);
    expect(main.stdout).not.toContain('retrying');
  });
});

describe('rate limits, which look like refusals', () => {
  // GitHub throttles pushes with a 403 (markrussinovich/refchecker#67); ghcr.io states the wait of
  // a 429 in its body, not in Retry-After (chainguard-images/images#173).
  const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  const IN_BODY = 'retry-after: 10.3ms, allowed: 2000/minute';

  it('a 403 secondary rate limit and a 429 with its wait in the body are waited out, and the step succeeds', async () => {
    const runner = new Runner();
    workspace(runner, `throttled ${Date.now()}\n`);
    proxy.inject({ method: 'POST', path: BLOB_POST, fault: { status: 403, message: SECONDARY }, times: 1 });
    proxy.inject({ method: 'PUT', path: MANIFEST, fault: { status: 429, message: IN_BODY }, times: 2 });
    const main = await runner.main(github('throttled'), { registry: proxy.host, tags: 'one,two' });
    expect(failure(main)).toBe('');
    expect(main.exitCode).toBe(0);
    await heldEverywhere('throttled', ['one', 'two'], main.outputs.digest);
    expect(main.stdout).toMatch(
      /uploads\/ answered 403 Forbidden \(a rate limit: denied: You have exceeded a secondary rate limit[^)]*\); retrying in 5 s/,
    );
    expect(main.stdout).toMatch(
      /manifests\/\S+ answered 429 Too Many Requests \(a rate limit: toomanyrequests: retry-after: 10\.3ms[^)]*\); retrying in 0\.01 s/,
    );
  });

  it('a rate limit that persists fails the step as a rate limit, with no advice about the credential', async () => {
    const runner = new Runner();
    workspace(runner, `still throttled ${Date.now()}\n`);
    proxy.inject({ method: 'POST', path: BLOB_POST, fault: { status: 403, message: SECONDARY, retryAfter: '0' }, times: Infinity });
    const before = proxy.requests.length;
    const main = await runner.main(github('still-throttled'), { registry: proxy.host, tags: 'x' });
    expect(main.exitCode).toBe(1);
    expect(failure(main)).toContain('a rate limit');
    expect(failure(main)).toContain('Re-run the job in a few minutes');
    expect(failure(main)).not.toMatch(/push rights|PAT|permissions:/);
    expect(proxy.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(4);
    expect(main.dockerCalls.some((c) => c.startsWith('buildx build'))).toBe(false);
  });

  it('a 403 that refuses is never retried and keeps its advice', async () => {
    const runner = new Runner();
    workspace(runner, `refused for real ${Date.now()}\n`);
    proxy.inject({ method: 'POST', path: BLOB_POST, fault: { status: 403, message: 'permission_denied: write_package' }, times: Infinity });
    const before = proxy.requests.length;
    const main = await runner.main(github('denied'), { registry: proxy.host, tags: 'x' });
    expect(main.exitCode).toBe(1);
    expect(failure(main)).toContain('push rights');
    expect(failure(main)).not.toContain('rate limit');
    expect(proxy.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(main.stdout).not.toContain('retrying');
  });

  it("the engine's push (the classic builder): the engine waits out a 429 itself; a 403 shows only its status line, so is not retried", async () => {
    const runner = new Runner({ buildx: false });
    workspace(runner, `engine throttled ${Date.now()}\n`);
    proxy.inject({ method: 'PUT', path: /\/manifests\/first$/, fault: { status: 429, message: IN_BODY }, times: 1 });
    const main = await runner.main(github('engine-throttled'), { registry: proxy.host, tags: 'first', cache: 'false' });
    expect(failure(main)).toBe('');
    expect(main.exitCode).toBe(0);
    expect(
      proxy.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/engine-throttled/manifests/first')).map((r) => r.status),
    ).toEqual([429, 201, 201]); // the engine's two tries, then the action's tag PUT
    await heldEverywhere('engine-throttled', ['first'], main.outputs.digest);

    proxy.inject({ method: 'PUT', path: /\/manifests\/second$/, fault: { status: 403, message: SECONDARY }, times: 1 });
    const refused = await runner.main(github('engine-throttled'), { registry: proxy.host, tags: 'second', cache: 'false' });
    expect(refused.exitCode).toBe(1);
    expect(failure(refused)).toMatch(/manifests\/second: 403 Forbidden/);
    expect(refused.stdout).not.toContain('retrying');
  });
});

describe("the engine's push (the classic builder)", () => {
  it('is tried again after a 503 on a blob upload and a reset on the manifest PUT, and sets further tags on the registry', async () => {
    const runner = new Runner({ buildx: false });
    workspace(runner, `engine ${Date.now()}\n`);
    // The engine uploads with PATCH (the action's own push check never does), then PUTs the manifest.
    proxy.inject({ method: 'PATCH', path: /\/blobs\/uploads\//, fault: { status: 503 }, times: 1 });
    proxy.inject({ method: 'PUT', path: /\/manifests\/first$/, fault: 'reset', times: 1 });
    const main = await runner.main(github('engine'), { registry: proxy.host, tags: 'first,second', cache: 'false' });
    expect(failure(main)).toBe('');
    expect(main.exitCode).toBe(0);
    expect(main.stdout).toMatch(/docker push of .*engine:first failed \(.*\); retrying/);
    expect(main.dockerCalls.filter((c) => c.startsWith('push '))).toEqual(
      expect.arrayContaining([`push ${proxy.host}/acme/engine:first `]),
    );
    expect(main.dockerCalls.some((c) => c.includes(':second'))).toBe(false);
    await heldEverywhere('engine', ['first', 'second'], main.outputs.digest);
  });
});

describe('tags at registry speed', () => {
  it('uploads once and sets each further tag with one manifest PUT', async () => {
    const runner = new Runner();
    workspace(runner, `many ${Date.now()}\n`);
    const tags = Array.from({ length: 25 }, (_, i) => `t${i}`);
    const before = proxy.requests.length;
    const main = await runner.main(github('many'), { registry: proxy.host, tags: tags.join(',') });
    expect(main.exitCode).toBe(0);
    const seen = proxy.requests.slice(before);
    expect(seen.filter((r) => r.method === 'PUT' && MANIFEST.test(r.path))).toHaveLength(26); // the image by digest, then 25 tags
    expect(seen.filter((r) => r.method === 'PUT' && BLOB_PUT.test(r.path))).toHaveLength(2); // config and layer, once
    await heldEverywhere('many', [tags[0], tags[24]], main.outputs.digest);
  });

  it('refuses more than 100 tags before anything runs, naming tags and the bound', async () => {
    const runner = new Runner();
    workspace(runner, 'bound\n');
    const main = await runner.main(github('bound'), {
      registry: registry.host,
      tags: Array.from({ length: 101 }, (_, i) => `t${i}`).join(','),
    });
    expect(main.exitCode).toBe(1);
    expect(failure(main)).toMatch(/tags.*100/s);
    expect(main.dockerCalls).toEqual([]);
  });
});
