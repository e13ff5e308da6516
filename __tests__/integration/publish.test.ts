import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasTag, imageConfig, rawManifest } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner } from '../support/runner.js';

const TOKEN = 'ghs_publishTestToken0123456789abcdefXYZ';
const OTHER_TOKEN = 'ghs_otherRunToken9876543210fedcbaQRS';
const CREDS = `octo-bot:${TOKEN}`;

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN, 'other-bot': OTHER_TOKEN } });
});
afterAll(() => registry.stop());

function workspace(runner: Runner, content: string): void {
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nARG GREETING\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(runner.workspace, 'hello.txt'), content);
}

/** Every file under `dir` that contains `needle`. grep exits 1 for no match; any other failure means it could not look. */
function filesContaining(dir: string, needle: string): string[] {
  try {
    return execFileSync('grep', ['-rlF', needle, dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch (e) {
    if ((e as { status?: number }).status === 1) return [];
    throw e;
  }
}

describe('a release publish, main and post steps as a runner runs them', () => {
  const runner = new Runner();
  const github: GitHub = { repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/tags/v1.2.3' };
  const userConfig = JSON.stringify({ auths: { 'other.example': { auth: 'dXNlcjpwYXNz' } } });
  let main: Awaited<ReturnType<Runner['main']>>;
  let post: Awaited<ReturnType<Runner['post']>>;
  let configDir: string;

  beforeAll(async () => {
    mkdirSync(path.join(runner.home, '.docker'));
    writeFileSync(path.join(runner.home, '.docker/config.json'), userConfig);
    workspace(runner, `release ${Date.now()}\n`);
    const inputs = {
      registry: registry.host,
      description: 'A widget for tests',
      licenses: 'MIT',
      labels: 'com.example.team=widgets',
      'build-args': 'GREETING=hello',
    };
    main = await runner.main(github, inputs);
    configDir = main.state.configDir;
    post = await runner.post(github, inputs, main.state);
  });

  it('succeeds and names the image with a lower-cased owner', () => {
    expect(main.stderr).toBe('');
    expect(main.exitCode).toBe(0);
    expect(main.outputs.image).toBe(`${registry.host}/acme/widget`);
    expect(main.outputs['token-source']).toBe('github-token');
  });

  it('pushes the tags derived from the release tag, all under the digest it reports', async () => {
    const refs = ['1.2.3', '1.2', '1', 'latest'].map((t) => `${registry.host}/acme/widget:${t}`);
    expect(main.outputs.tags.split('\n')).toEqual(refs);
    expect(main.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const ref of refs) expect((await rawManifest(ref, CREDS)).digest).toBe(main.outputs.digest);
  });

  it('labels the image so GitHub links the package to its repository', async () => {
    const labels = (await imageConfig(`${registry.host}/acme/widget:1.2.3`, CREDS)).config?.Labels ?? {};
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/Acme/Widget',
      'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.title': 'widget',
      'org.opencontainers.image.description': 'A widget for tests',
      'org.opencontainers.image.licenses': 'MIT',
      'com.example.team': 'widgets',
    });
    expect(Date.parse(labels['org.opencontainers.image.created'])).not.toBeNaN();
  });

  it('writes a job summary with the references, the digest and the credential', () => {
    expect(main.summary).toContain(`${registry.host}/acme/widget:1.2`);
    expect(main.summary).toContain(main.outputs.digest);
    expect(main.summary).toContain('GITHUB_TOKEN');
  });

  it('masks the token and never shows it in a log or on a docker command line', () => {
    expect(main.masked).toContain(TOKEN);
    const logs = (main.stdout + post.stdout).replace(/^::add-mask::.*$/gm, '');
    expect(logs).not.toContain(TOKEN);
    expect(main.dockerCalls.some((c) => c.startsWith('login '))).toBe(true);
    expect([...main.dockerCalls, ...post.dockerCalls].filter((c) => c.includes(TOKEN))).toEqual([]);
  });

  it('logs in to a private config, and the post step logs out and deletes it', () => {
    expect(configDir.startsWith(runner.temp)).toBe(true);
    expect(post.exitCode).toBe(0);
    expect(post.dockerCalls).toEqual([`logout ${registry.host} `]);
    expect(existsSync(configDir)).toBe(false);
    expect(filesContaining(runner.dir, TOKEN)).toEqual([]);
    expect(filesContaining(runner.dir, Buffer.from(`octo-bot:${TOKEN}`).toString('base64'))).toEqual([]);
  });

  it("leaves the user's own docker config as it was", () => {
    expect(readFileSync(path.join(runner.home, '.docker/config.json'), 'utf8')).toBe(userConfig);
  });
});

describe('two runs at once on one machine', () => {
  it('keep their credentials apart', async () => {
    const runner = new Runner();
    workspace(runner, `parallel ${Date.now()}\n`);
    const a: GitHub = { repository: 'acme/alpha', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };
    const b: GitHub = { repository: 'acme/beta', actor: 'other-bot', token: OTHER_TOKEN, ref: 'refs/heads/main' };
    const [mainA, mainB] = await Promise.all([runner.main(a, { registry: registry.host }), runner.main(b, { registry: registry.host })]);
    expect([mainA.exitCode, mainB.exitCode]).toEqual([0, 0]);
    expect(mainA.state.configDir).not.toBe(mainB.state.configDir);
    const configA = readFileSync(path.join(mainA.state.configDir, 'config.json'), 'utf8');
    const configB = readFileSync(path.join(mainB.state.configDir, 'config.json'), 'utf8');
    expect(configA).toContain(Buffer.from(`octo-bot:${TOKEN}`).toString('base64'));
    expect(configA).not.toContain(Buffer.from(`other-bot:${OTHER_TOKEN}`).toString('base64'));
    expect(configB).not.toContain(Buffer.from(`octo-bot:${TOKEN}`).toString('base64'));
    await runner.post(a, { registry: registry.host }, mainA.state);
    await runner.post(b, { registry: registry.host }, mainB.state);
    expect(filesContaining(runner.dir, TOKEN)).toEqual([]);
    expect(filesContaining(runner.dir, OTHER_TOKEN)).toEqual([]);
  });
});

describe('push: false', () => {
  it('builds and tags, pushes nothing and says so', async () => {
    const runner = new Runner();
    workspace(runner, `no push ${Date.now()}\n`);
    const github: GitHub = { repository: 'acme/quiet', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/Feature/New_UI' };
    const main = await runner.main(github, { registry: registry.host, push: 'false' });
    expect(main.exitCode).toBe(0);
    expect(main.outputs.tags.split('\n')).toEqual([
      `${registry.host}/acme/quiet:feature-new_ui`,
      `${registry.host}/acme/quiet:sha-0123456`,
    ]);
    expect(main.outputs.digest).toBe('');
    expect(main.summary).toContain('not pushed');
    expect(main.dockerCalls.filter((c) => c.startsWith('push '))).toEqual([]);
    expect(await hasTag(`${registry.host}/acme/quiet:feature-new_ui`, CREDS)).toBe(false);
    const post = await runner.post(github, { registry: registry.host }, main.state);
    expect(post.exitCode).toBe(0);
  });
});

describe('the post step after a main step that failed before logging in', () => {
  it('succeeds and says there was nothing to clean up', async () => {
    const runner = new Runner();
    const github: GitHub = { repository: 'acme/broken', actor: 'octo-bot', token: TOKEN };
    const main = await runner.main(github, { registry: registry.host, tags: 'not a tag' });
    expect(main.exitCode).toBe(1);
    const post = await runner.post(github, { registry: registry.host }, main.state);
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('Nothing to clean up');
    expect(post.dockerCalls).toEqual([]);
  });
});
