import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyLayers, imageConfig, rawManifest } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const run = promisify(execFile);
const TOKEN = 'ghs_buildsTestToken000000001';
const CREDS = `octo-bot:${TOKEN}`;
let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
});
afterAll(() => registry.stop());

const github: GitHub = { repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };

interface IndexManifest {
  mediaType: string;
  manifests: { digest: string; platform: { os: string; architecture: string } }[];
  annotations?: Record<string, string>;
}

/** Files that contain `needle`, under `dir`. grep exits 1 for no match; any other failure means it could not look. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  return run('grep', ['-rlF', needle, dir]).then(
    ({ stdout }) => stdout.split('\n').filter(Boolean),
    (e: { code?: number | string }) => {
      if (e.code === 1) return [];
      throw e;
    },
  );
}

describe('a multi-platform image', () => {
  const runner = new Runner();
  let step: StepResult;
  beforeAll(async () => {
    writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(path.join(runner.workspace, 'hello.txt'), `multi ${randomUUID()}\n`);
    step = await runner.main(github, {
      registry: registry.host,
      image: 'multi',
      tags: 'v1,edge',
      platforms: 'linux/amd64,linux/arm64',
      description: 'One image, two platforms',
      licenses: 'Apache-2.0',
    });
  });

  it('is one OCI index under every tag, whose digest is reported', async () => {
    expect(step.exitCode).toBe(0);
    for (const tag of ['v1', 'edge']) {
      const { digest, json } = await rawManifest(`${registry.host}/acme/multi:${tag}`, CREDS);
      expect(digest).toBe(step.outputs.digest);
      expect((json as unknown as IndexManifest).mediaType).toBe('application/vnd.oci.image.index.v1+json');
    }
  });

  it('holds both platforms and no attestations', async () => {
    const index = (await rawManifest(`${registry.host}/acme/multi:v1`, CREDS)).json as unknown as IndexManifest;
    expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('carries the linking annotations on the index, for ghcr.io', async () => {
    const index = (await rawManifest(`${registry.host}/acme/multi:v1`, CREDS)).json as unknown as IndexManifest;
    expect(index.annotations).toEqual({
      'org.opencontainers.image.source': 'https://github.com/Acme/Widget',
      'org.opencontainers.image.description': 'One image, two platforms',
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
  });

  it('labels each platform image', async () => {
    for (const arch of ['amd64', 'arm64']) {
      const labels = (await imageConfig(`${registry.host}/acme/multi:v1`, CREDS, { os: 'linux', arch })).config?.Labels ?? {};
      expect(labels['org.opencontainers.image.source']).toBe('https://github.com/Acme/Widget');
      expect(labels['org.opencontainers.image.description']).toBe('One image, two platforms');
    }
  });
});

describe('target', () => {
  it('builds the named stage only', async () => {
    const runner = new Runner();
    writeFileSync(
      path.join(runner.workspace, 'Dockerfile'),
      'FROM scratch AS runtime\nCOPY runtime.txt /stage.txt\n\nFROM scratch AS debug\nCOPY debug.txt /stage.txt\n',
    );
    writeFileSync(path.join(runner.workspace, 'runtime.txt'), `runtime ${randomUUID()}\n`);
    writeFileSync(path.join(runner.workspace, 'debug.txt'), `debug ${randomUUID()}\n`);
    const step = await runner.main(github, { registry: registry.host, image: 'staged', tags: 'v1', target: 'runtime' });
    expect(step.exitCode).toBe(0);
    const layers = await copyLayers(`${registry.host}/acme/staged:v1`, CREDS);
    expect(await filesContaining(layers, 'runtime ')).not.toEqual([]);
    expect(await filesContaining(layers, 'debug ')).toEqual([]);
  });
});

describe('provenance: true', () => {
  it('adds an attestation manifest (an unknown/unknown platform)', async () => {
    const runner = new Runner();
    writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(path.join(runner.workspace, 'hello.txt'), `provenance ${randomUUID()}\n`);
    const step = await runner.main(github, { registry: registry.host, image: 'attested', tags: 'v1', provenance: 'true' });
    expect(step.exitCode).toBe(0);
    const { digest, json } = await rawManifest(`${registry.host}/acme/attested:v1`, CREDS);
    expect(digest).toBe(step.outputs.digest);
    const platforms = (json as unknown as IndexManifest).manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`);
    expect(platforms).toContain('unknown/unknown');
  });
});

describe('a build secret', () => {
  const runner = new Runner();
  const SECRET = `npm-secret-${randomUUID()}`;
  const KEY_LINES = [`key-line-one-${randomUUID()}`, `key-line-two-${randomUUID()}`];
  let main: StepResult;
  let post: StepResult;
  let layers: string;

  beforeAll(async () => {
    const hash = createHash('sha256').update(SECRET).digest('hex');
    const keyHash = createHash('sha256').update(KEY_LINES.join('\n')).digest('hex');
    copyFileSync('/bin/busybox', path.join(runner.workspace, 'busybox'));
    writeFileSync(
      path.join(runner.workspace, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        `RUN --mount=type=secret,id=npm_token,required=true test "$(sha256sum /run/secrets/npm_token | cut -d' ' -f1)" = "${hash}" && echo seen > /secret-was-read`,
        `RUN --mount=type=secret,id=deploy_key,required=true test "$(sha256sum /run/secrets/deploy_key | cut -d' ' -f1)" = "${keyHash}" && echo seen > /key-was-read`,
        '',
      ].join('\n'),
    );
    const inputs = {
      registry: registry.host,
      image: 'with-secret',
      tags: 'v1',
      secrets: `npm_token=${SECRET}\ndeploy_key<<EOF\n${KEY_LINES.join('\n')}\nEOF`,
    };
    main = await runner.main(github, inputs);
    post = await runner.post(github, inputs, main.state);
    layers = tempDir('layers-');
    mkdirSync(path.join(layers, 'image'));
    await copyLayers(`${registry.host}/acme/with-secret:v1`, CREDS, path.join(layers, 'image'));
  });

  it('is read by RUN --mount=type=secret during the build, a value of several lines too', async () => {
    expect(main.exitCode).toBe(0);
    expect(await filesContaining(layers, 'secret-was-read')).not.toEqual([]);
    expect(await filesContaining(layers, 'key-was-read')).not.toEqual([]);
  });

  it('is in no layer, nor the config or history of the image', async () => {
    const config = JSON.stringify(await imageConfig(`${registry.host}/acme/with-secret:v1`, CREDS));
    expect(config).toContain('history');
    for (const value of [SECRET, ...KEY_LINES]) {
      expect(await filesContaining(layers, value)).toEqual([]);
      expect(config).not.toContain(value);
    }
  });

  it('is masked, and on no command line and in no log', () => {
    expect(main.masked).toEqual(expect.arrayContaining([SECRET, ...KEY_LINES]));
    const logs = (main.stdout + post.stdout).replace(/^::add-mask::.*$/gm, '');
    for (const value of [SECRET, ...KEY_LINES]) {
      expect(logs).not.toContain(value);
      expect([...main.dockerCalls, ...post.dockerCalls].filter((c) => c.includes(value))).toEqual([]);
    }
    // The log of command lines is shell-quoted (printf %q), which escapes the comma.
    expect(main.dockerCalls.find((c) => c.startsWith('buildx build'))).toMatch(/--secret id=npm_token\\?,src=\//);
  });

  it('is deleted from disk by the post step', async () => {
    expect(post.exitCode).toBe(0);
    expect(existsSync(main.state.secretsDir)).toBe(false);
    for (const value of [SECRET, ...KEY_LINES]) expect(await filesContaining(runner.dir, value)).toEqual([]);
  });
});
