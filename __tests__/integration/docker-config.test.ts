import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPrivateConfig, dockerEnv, exportForLaterSteps, resolveUserDocker } from '../../src/docker/docker-config.js';
import { hasTag } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { parseFileCommand } from '../support/runner.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const TOKEN = 'ghs_credStoreTestToken0123456789abcXYZ';
const BASE_SECRET = 'base-secret-0123456789';

/** Runs a command; resolves with its status and output, whatever the status. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env }, (error, stdout, stderr) =>
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
    child.stdin?.end(input ?? '');
  });
}

/** Every regular file under `dir` holding `needle` (symbolic links not followed). Throws when it cannot look. */
function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => readFileSync(f).includes(needle));
}

/**
 * A user's credential store, as a self-hosted runner keeps one: `docker-credential-teststore`
 * records every call and holds the login to the registry of private base images.
 */
function fakeStore(bin: string, calls: string, other: string): void {
  writeFileSync(
    path.join(bin, 'docker-credential-teststore'),
    `#!/bin/sh
input=$(cat)
printf '%s %s\\n' "$1" "$input" >> '${calls}'
case "$1" in
  get) if [ "$input" = '${other}' ]; then echo '{"ServerURL":"${other}","Username":"base-user","Secret":"${BASE_SECRET}"}'; else echo 'credentials not found in native keychain'; exit 1; fi ;;
  list) echo '{"${other}":"base-user"}' ;;
esac
`,
  );
  chmodSync(path.join(bin, 'docker-credential-teststore'), 0o755);
}

describe("a user's credential store beside the run's login, with the real docker CLI", () => {
  let ours: TestRegistry;
  let other: TestRegistry;
  const root = realpathSync(tempDir('credstore-'));
  const [home, bin, temp, context] = ['home', 'bin', 'temp', 'context'].map((d) => path.join(root, d));
  const calls = path.join(root, 'store-calls.log');
  let env: NodeJS.ProcessEnv;
  let configDir: string;

  beforeAll(async () => {
    [ours, other] = await Promise.all([
      startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } }),
      startRegistry({ kind: 'htpasswd', users: { 'base-user': BASE_SECRET } }),
    ]);
    for (const d of [path.join(home, '.docker'), bin, temp, context]) mkdirSync(d, { recursive: true });
    writeFileSync(calls, '');
    fakeStore(bin, calls, other.host);
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ credsStore: 'teststore', auths: { [other.host]: {} } }));
    // A private base image on the other registry, put there without docker's credentials.
    const layout = path.join(root, 'base-layout');
    writeFileSync(path.join(context, 'base.txt'), `base ${Date.now()}\n`);
    writeFileSync(path.join(context, 'Dockerfile.base'), 'FROM scratch\nCOPY base.txt /base.txt\n');
    const built = await run(
      'docker',
      ['buildx', 'build', '-f', path.join(context, 'Dockerfile.base'), '--output', `type=oci,dest=${layout},tar=false`, context],
      process.env,
    );
    succeeded(built, 'building the base image');
    const copied = await run(
      'skopeo',
      [
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `base-user:${BASE_SECRET}`,
        `oci:${layout}`,
        `docker://${other.host}/acme/base:1`,
      ],
      process.env,
    );
    succeeded(copied, 'copying the base image');

    const jobEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
    delete jobEnv.DOCKER_CONFIG;
    delete jobEnv.BUILDX_CONFIG;
    const user = resolveUserDocker(jobEnv);
    const config = createPrivateConfig(temp, ours.host, user, jobEnv);
    configDir = config.dir;
    env = dockerEnv(config, user, jobEnv);
  }, 120_000);
  afterAll(async () => Promise.all([ours.stop(), other.stop()]));

  const storeCalls = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean);

  /** The run's login; each test logs in itself, so that none depends on another having run first. */
  const logIn = () => run('docker', ['login', '--username', 'octo-bot', '--password-stdin', ours.host], env, TOKEN);

  it("logs in through the run's helper: the token is in the private directory and nowhere else", async () => {
    expect(await logIn()).toMatchObject({ status: 0 });
    expect(filesContaining(root, TOKEN)).toEqual([path.join(configDir, 'login.json')]);
    expect(filesContaining(root, Buffer.from(`octo-bot:${TOKEN}`).toString('base64'))).toEqual([]);
    expect(storeCalls().filter((c) => c.startsWith('store') || c.includes(TOKEN))).toEqual([]);
  });

  it("builds FROM the private base image with the user's store, and pushes to our registry with the run's login", async () => {
    expect(await logIn()).toMatchObject({ status: 0 });
    writeFileSync(path.join(context, 'app.txt'), `app ${Date.now()}\n`);
    writeFileSync(path.join(context, 'Dockerfile'), `FROM ${other.host}/acme/base:1\nCOPY app.txt /app.txt\n`);
    const ref = `${ours.host}/acme/app:1`;
    const build = await run('docker', ['buildx', 'build', '--output', `type=image,name=${ref},push=true`, context], env);
    expect(build).toMatchObject({ status: 0 });
    expect(storeCalls()).toContain(`get ${other.host}`);
    expect(await hasTag(ref, `octo-bot:${TOKEN}`)).toBe(true);
    expect(filesContaining(root, TOKEN)).toEqual([path.join(configDir, 'login.json')]);
  });

  it('logs out: the login is gone, and the user’s store was never asked to store or erase ours', async () => {
    expect(await logIn()).toMatchObject({ status: 0 });
    expect(existsSync(path.join(configDir, 'login.json'))).toBe(true);
    expect(await run('docker', ['logout', ours.host], env)).toMatchObject({ status: 0 });
    expect(existsSync(path.join(configDir, 'login.json'))).toBe(false);
    expect(filesContaining(root, TOKEN)).toEqual([]);
    expect(storeCalls().filter((c) => !c.startsWith('get ') && !c.startsWith('list'))).toEqual([]);
    expect(storeCalls().filter((c) => c.includes(ours.host))).toEqual([]);
  });
});

describe('logout: false keeps the builder the user selected, for this step and later ones', () => {
  const root = realpathSync(tempDir('buildx-keep-'));
  const home = path.join(root, 'home');
  const builder = `user-builder-${process.pid}`;
  const jobEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete jobEnv.DOCKER_CONFIG;
  delete jobEnv.BUILDX_CONFIG;
  const saved = { ...process.env };
  const current = async (env: NodeJS.ProcessEnv) => (await run('docker', ['buildx', 'inspect'], env)).out.match(/^Name:\s*(\S+)/m)?.[1];

  beforeAll(async () => {
    mkdirSync(path.join(home, '.docker'), { recursive: true });
    for (const f of ['env', 'path']) writeFileSync(path.join(root, f), '');
    // As docker/setup-buildx-action leaves it: a builder in ~/.docker/buildx, selected.
    succeeded(
      await run('docker', ['buildx', 'create', '--name', builder, '--driver', 'docker-container', '--use'], jobEnv),
      'creating the builder',
    );
    if ((await current(jobEnv)) !== builder) throw new Error(`set-up: the builder ${builder} is not the current one`);
  });
  afterAll(async () => {
    process.env = saved;
    await run('docker', ['buildx', 'rm', builder], jobEnv);
  });

  it('resolves the buildx directory before exporting DOCKER_CONFIG, and exports it too', async () => {
    process.env.GITHUB_ENV = path.join(root, 'env');
    process.env.GITHUB_PATH = path.join(root, 'path');
    const user = resolveUserDocker(jobEnv);
    const config = createPrivateConfig(path.join(root), 'ghcr.io', user);
    exportForLaterSteps(config, user);
    const exported = parseFileCommand(readFileSync(path.join(root, 'env'), 'utf8'));
    expect(exported.DOCKER_CONFIG).toBe(config.dir);
    // this step's docker calls
    expect(await current(dockerEnv(config, user, jobEnv))).toBe(builder);
    // a later step of the job
    expect(await current({ ...jobEnv, ...exported })).toBe(builder);
    // what the step exported before: DOCKER_CONFIG alone loses the builder
    expect(await current({ ...jobEnv, DOCKER_CONFIG: config.dir })).not.toBe(builder);
  });
});

/** Set-up steps fail the suite loudly: they are not what it tests. */
function succeeded(res: { status: number; out: string }, what: string): void {
  if (res.status !== 0) throw new Error(`set-up failed, ${what}: ${res.out}`);
}
