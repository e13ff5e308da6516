import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type FaultProxy, registryBehindProxy, startFaultProxy } from '../support/fault-proxy.js';
import { rawManifest } from '../support/inspect.js';
import { helloContext, pushEvent } from '../support/jobs.js';
import { built, failure, listTags, notices, uploadedBytes } from '../support/observe.js';
import { type TestRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';
import { type TokenRegistry, startTokenRegistry } from '../support/token-registry.js';

// One build, three real registries: the step's own (htpasswd), a Quay-like one (htpasswd, its own
// robot login) and a Docker Hub-like one (token auth with a token service of its own), each behind
// a fault proxy that records what reached it. Read back with skopeo.
const TOKEN = 'ghs_severalRegistriesToken0001';
const QUAY_PASSWORD = 'quay-robot-secret-0001';
const HUB_TOKEN = 'dckr_pat_severalRegistries0001';
const CREDS = { main: `octo-bot:${TOKEN}`, quay: `acme+robot:${QUAY_PASSWORD}`, hub: `acmebot:${HUB_TOKEN}` };
const SHA = 'c3d4e5f60718293a4b5c6d7e8f9012345678a1b2';
// The commit's time from the push event: a rebuild of the same commit is the same image.
const ENV = { QUAY_PASSWORD, HUB_TOKEN, ...pushEvent(SHA, '2026-11-02T10:00:00Z') };

let main: { registry: TestRegistry; proxy: FaultProxy };
let quay: { registry: TestRegistry; proxy: FaultProxy };
let hub: { registry: TokenRegistry; proxy: FaultProxy };
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const [m, q, h] = await Promise.all([
    registryBehindProxy({ 'octo-bot': TOKEN }),
    registryBehindProxy({ 'acme+robot': QUAY_PASSWORD }),
    startTokenRegistry({ acmebot: { password: HUB_TOKEN, namespaces: ['acmebot'] } }),
  ]);
  const hubProxy = await startFaultProxy(h.url);
  main = m;
  quay = q;
  hub = { registry: h, proxy: hubProxy };
  stops.push(
    m.stop,
    q.stop,
    () => hubProxy.stop(),
    () => h.stop(),
  );
});
afterAll(async () => {
  for (const stop of stops) await stop();
});

const github = (ref: string): GitHub => ({ repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref, sha: SHA });
const alsoPushTo = (image: string) =>
  [
    `${quay.proxy.host}/acme/tools/${image} user=acme+robot password-env=QUAY_PASSWORD`,
    `${hub.proxy.host}/acmebot/${image} user=acmebot password-env=HUB_TOKEN`,
  ].join('\n');
/** Each registry's image name, with its read-back credential. */
const images = (image: string): [string, string][] => [
  [`${main.registry.host}/acme/${image}`, CREDS.main],
  [`${quay.registry.host}/acme/tools/${image}`, CREDS.quay],
  [`${hub.registry.host}/acmebot/${image}`, CREDS.hub],
];
const digestsOf = (image: string, tag: string) =>
  Promise.all(images(image).map(([name, creds]) => rawManifest(`${name}:${tag}`, creds).then((m) => m.digest)));

/** One step on a fresh runner (and its post step), with the passwords in its environment. */
async function step(ref: string, inputs: Record<string, string>, content?: string): Promise<{ main: StepResult; post: StepResult }> {
  const runner = new Runner();
  if (content !== undefined) helloContext(runner.workspace, content);
  const all = { registry: main.proxy.host, ...inputs };
  const result = await runner.main(github(ref), all, ENV);
  const post = await runner.post(github(ref), all, result.state, ENV);
  return { main: result, post };
}

describe('a release build with also-push-to', () => {
  let run: StepResult;
  let post: StepResult;
  beforeAll(async () => {
    ({ main: run, post } = await step(
      'refs/tags/v1.2.3',
      { image: 'widget', 'also-push-to': alsoPushTo('widget') },
      `release ${randomUUID()}\n`,
    ));
  });

  it('publishes the same digest under the same tags on every registry, each read back', async () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.dockerCalls.filter((c) => c.startsWith('buildx build'))).toHaveLength(1);
    for (const tag of ['1.2.3', '1.2', '1', 'latest']) expect(await digestsOf('widget', tag)).toEqual(Array(3).fill(run.outputs.digest));
  });

  it('lists every reference on every registry in the tags output, and a line per registry in the summary', () => {
    const tags = run.outputs.tags.split('\n');
    expect(tags).toHaveLength(12);
    for (const name of [`${main.proxy.host}/acme/widget`, `${quay.proxy.host}/acme/tools/widget`, `${hub.proxy.host}/acmebot/widget`]) {
      expect(tags).toContain(`${name}:1.2.3`);
      expect(run.summary).toContain(`<code>${name}</code>`);
    }
    expect(run.summary).toContain('acmebot (password from HUB_TOKEN)');
  });

  it('masks each password, logs the engine in to the main registry only, and sends each password to its own registry only', () => {
    expect(run.masked).toEqual(expect.arrayContaining([QUAY_PASSWORD, HUB_TOKEN]));
    const logs = (run.stdout + post.stdout).replace(/^::add-mask::.*$/gm, '');
    for (const secret of [QUAY_PASSWORD, HUB_TOKEN]) {
      expect(logs).not.toContain(secret);
      expect([...run.dockerCalls, ...post.dockerCalls].filter((c) => c.includes(secret))).toEqual([]);
    }
    const logins = run.dockerCalls.filter((c) => c.startsWith('login '));
    expect(logins).toHaveLength(1);
    expect(logins[0]).toContain(main.proxy.host);
    const basic = (creds: string) => `Basic ${Buffer.from(creds).toString('base64')}`;
    const reached = (proxy: FaultProxy, creds: string) => proxy.requests.some((r) => r.authorization === basic(creds));
    expect([reached(main.proxy, CREDS.quay), reached(hub.proxy, CREDS.quay), reached(quay.proxy, CREDS.quay)]).toEqual([
      false,
      false,
      true,
    ]);
    // Token auth: the Docker Hub-like login goes to its token service, and the registry sees tokens only.
    expect([reached(main.proxy, CREDS.hub), reached(quay.proxy, CREDS.hub), reached(hub.proxy, CREDS.hub)]).toEqual([false, false, false]);
    expect(hub.registry.tokenAuthorizations).toContain(basic(CREDS.hub));
    expect(hub.registry.tokenRequests).toContain('acmebot repository:acmebot/widget:pull,push');
  });
});

describe('a login that may not push there', () => {
  it('fails the step before building, naming the image and the variable', async () => {
    const { main: run } = await step(
      'refs/tags/v1.0.0',
      { image: 'denied', 'also-push-to': `${hub.proxy.host}/someone-else/denied user=acmebot password-env=HUB_TOKEN` },
      'denied\n',
    );
    expect(run.exitCode).toBe(1);
    expect(failure(run)).toContain(`${hub.proxy.host}/someone-else/denied as acmebot (password from HUB_TOKEN)`);
    expect(built(run)).toBe(false);
    expect(await listTags(`${main.registry.host}/acme/denied`, CREDS.main)).toEqual([]);
  });
});

describe('a fault on one registry', () => {
  it('fails the step naming who holds what; the re-run of the same commit completes it', async () => {
    const content = `fault ${randomUUID()}\n`;
    const inputs = { image: 'faulty', 'also-push-to': alsoPushTo('faulty') };
    quay.proxy.inject({
      method: 'PUT',
      path: /^\/v2\/acme\/tools\/faulty\/manifests\//,
      fault: { status: 503, message: 'storage is down' },
      times: Infinity,
    });
    const first = await step('refs/tags/v2.0.0', inputs, content);
    quay.proxy.clear();
    expect(first.main.exitCode).toBe(1);
    const said = failure(first.main);
    expect(said).toMatch(/was published to 2 of 3 registries/);
    expect(said).toContain(`${main.proxy.host}/acme/faulty holds `);
    expect(said).toContain(`${hub.proxy.host}/acmebot/faulty holds `);
    expect(said).toMatch(new RegExp(`- ${quay.proxy.host}/acme/tools/faulty: .*storage is down`));
    expect(first.main.outputs.digest ?? '').toBe('');
    expect(await listTags(`${quay.registry.host}/acme/tools/faulty`, CREDS.quay)).toEqual([]);

    const from = [main.proxy, quay.proxy, hub.proxy].map((p) => p.requests.length);
    const again = await step('refs/tags/v2.0.0', inputs, content);
    expect(failure(again.main)).toBe('');
    expect(again.main.exitCode).toBe(0);
    expect(await digestsOf('faulty', '2.0.0')).toEqual(Array(3).fill(again.main.outputs.digest));
    expect(again.main.summary).toContain('already published');
    // The layers reached every registry in the first run (only Quay's manifests failed): none is sent again.
    expect([main.proxy, quay.proxy, hub.proxy].map((p, i) => uploadedBytes(p, from[i]))).toEqual([0, 0, 0]);
    expect(quay.proxy.requests.slice(from[1]).some((r) => r.method === 'PUT' && r.path.endsWith('/manifests/2.0.0'))).toBe(true);
  });
});

describe('a promote with also-push-to', () => {
  it('copies the branch image to every registry, registry to registry: no build, the digest unchanged', async () => {
    const branch = await step('refs/heads/main', { image: 'promoted' }, `branch ${randomUUID()}\n`);
    expect(branch.main.exitCode).toBe(0);
    const hubFrom = hub.proxy.requests.length;
    const { main: run } = await step('refs/tags/v3.1.0', { image: 'promoted', promote: 'commit', 'also-push-to': alsoPushTo('promoted') });
    expect(run.exitCode).toBe(0);
    expect(built(run)).toBe(false);
    expect(run.dockerCalls).toEqual([]);
    expect(run.outputs.digest).toBe(branch.main.outputs.digest);
    for (const tag of ['3.1.0', '3.1', '3', 'latest']) expect(await digestsOf('promoted', tag)).toEqual(Array(3).fill(run.outputs.digest));
    expect(uploadedBytes(hub.proxy, hubFrom)).toBeGreaterThan(0);
  });

  it('where the registry refuses to mount (202), streams the layers from the source repository, with a notice', async () => {
    const source = await step('refs/heads/main', { image: 'candidates' }, `candidate ${randomUUID()}\n`);
    expect(source.main.exitCode).toBe(0);
    main.proxy.inject({ method: 'POST', path: /^\/v2\/acme\/shipped\/blobs\/uploads\/\?mount=/, fault: 'refuse-mount', times: Infinity });
    const from = main.proxy.requests.length;
    const { main: run } = await step('refs/tags/v1.0.0', { image: 'shipped', promote: `${main.proxy.host}/acme/candidates:main` });
    main.proxy.clear();
    expect(run.exitCode).toBe(0);
    expect(run.outputs.digest).toBe(source.main.outputs.digest);
    expect((await rawManifest(`${main.registry.host}/acme/shipped:1.0.0`, CREDS.main)).digest).toBe(run.outputs.digest);
    expect(notices(run).join('\n')).toMatch(/refused to mount \d+ blob\(s\) from .*acme\/candidates into acme\/shipped .*streamed/);
    expect(uploadedBytes(main.proxy, from)).toBeGreaterThan(0);
  });
});

describe('a bad also-push-to line', () => {
  it('fails before anything runs, with every other bad input, naming the input and the line', async () => {
    const { main: run } = await step('refs/tags/v1.0.0', {
      image: 'bad',
      tags: 'not a tag',
      'also-push-to': 'docker.io/widget user=acme password-env=HUB_TOKEN',
    });
    expect(run.exitCode).toBe(1);
    expect(failure(run)).toContain(
      `Input 'also-push-to': the line "docker.io/widget user=acme password-env=HUB_TOKEN" names a Docker Hub image without a namespace`,
    );
    expect(failure(run)).toContain("Input 'tags'");
    expect(run.dockerCalls).toEqual([]);
  });
});
