import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRunDir } from '../../src/runner/run-dir.js';
import { hasTag } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner } from '../support/runner.js';

const TOKEN = 'ghs_postStepTestToken0123456789abcdefQ';
const github: GitHub = { repository: 'acme/widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/tags/v1.0.0' };

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
});
afterAll(() => registry.stop());

/** A directory with one file in it, to check from the disk that it survived. */
function precious(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'keep.txt'), 'precious');
  return dir;
}
const intact = (dir: string) => readFileSync(path.join(dir, 'keep.txt'), 'utf8') === 'precious';
const warnings = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::warning::'));

/** Every regular file under `dir` holding `needle` (symbolic links not followed). Throws when it cannot look. */
function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => readFileSync(f).includes(needle));
}

describe('the post step with no state from the main step', () => {
  it('builds, logs in and pushes nothing, says so in one line, and succeeds', async () => {
    const runner = new Runner();
    writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(path.join(runner.workspace, 'hello.txt'), `post only ${Date.now()}\n`);
    const post = await runner.post(github, { registry: registry.host }, {});
    expect(post.exitCode).toBe(0);
    expect(post.dockerCalls).toEqual([]);
    expect(post.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^Nothing to clean up/)]);
    expect(await hasTag(`${registry.host}/acme/widget:1.0.0`, `octo-bot:${TOKEN}`)).toBe(false);
  });
});

describe('the post step given hostile state', () => {
  it('leaves every directory and builder it did not create alone, warns about each, and succeeds', async () => {
    const runner = new Runner();
    const dockerHome = precious(path.join(runner.home, '.docker'));
    const workspace = precious(runner.workspace);
    const outside = precious(path.join(runner.dir, 'outside'));
    const link = path.join(runner.temp, 'ghcr-publish-build-link');
    symlinkSync(outside, link);
    writeFileSync(path.join(runner.temp, 'keep.txt'), 'precious');
    const state = {
      configDir: dockerHome,
      secretsDir: workspace,
      buildOutputDir: link,
      credentialHelperDir: runner.dir,
      builder: 'default',
      buildxDir: path.join(dockerHome, 'buildx'),
      registry: registry.host,
      loggedIn: 'true',
      logout: 'true',
    };
    const post = await runner.post(github, { registry: registry.host }, state);
    expect(post.exitCode).toBe(0);
    expect(post.dockerCalls).toEqual([]);
    expect([dockerHome, workspace, outside, runner.temp].filter((d) => !intact(d))).toEqual([]);
    for (const saved of [dockerHome, workspace, link, 'default'])
      expect(warnings(post.stdout).some((w) => w.includes(`Left ${saved} alone`))).toBe(true);

    const parent = await runner.post(
      github,
      { registry: registry.host },
      { configDir: runner.dir, secretsDir: runner.temp, loggedIn: 'true', registry: registry.host },
    );
    expect(parent.exitCode).toBe(0);
    expect(parent.dockerCalls).toEqual([]);
    expect(intact(runner.temp)).toBe(true);
  });
});

describe("the post step given this run's own state", () => {
  const runner = new Runner();
  const buildxDir = path.join(runner.home, '.docker', 'buildx');
  const userEnv = { ...process.env, HOME: runner.home, DOCKER_CONFIG: path.join(runner.home, '.docker'), BUILDX_CONFIG: buildxDir };
  const ours = `ghcr-publish-42-${process.pid}`;
  const users = `user-builder-${process.pid}`;
  const builders = () => execFileSync('docker', ['buildx', 'ls', '--format', '{{.Name}}'], { env: userEnv, encoding: 'utf8' }).split('\n');

  beforeAll(() => {
    mkdirSync(buildxDir, { recursive: true });
    for (const name of [users, ours])
      execFileSync('docker', ['buildx', 'create', '--name', name, '--driver', 'docker-container'], { env: userEnv });
    execFileSync('docker', ['buildx', 'use', users], { env: userEnv });
  });
  afterAll(() => {
    for (const name of [users, ours]) {
      try {
        execFileSync('docker', ['buildx', 'rm', name], { env: userEnv, stdio: 'ignore' });
      } catch {
        // removed by the test already
      }
    }
  });

  it("removes its builder, logs out, deletes its directories, and keeps the user's builder selected", async () => {
    const configDir = createRunDir(runner.temp, 'config');
    const login = Buffer.from(`octo-bot:${TOKEN}`).toString('base64');
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: login } } }), { mode: 0o600 });
    const secretsDir = precious(createRunDir(runner.temp, 'secrets'));
    const buildOutputDir = precious(createRunDir(runner.temp, 'build'));
    const state = {
      configDir,
      secretsDir,
      buildOutputDir,
      builder: ours,
      buildxDir,
      registry: registry.host,
      loggedIn: 'true',
      logout: 'true',
    };
    const post = await runner.post(github, { registry: registry.host }, state);
    expect(post.exitCode).toBe(0);
    expect(warnings(post.stdout)).toEqual([]);
    expect(post.dockerCalls).toEqual([`buildx rm ${ours} `, `logout ${registry.host} `]);
    expect([configDir, secretsDir, buildOutputDir].filter(existsSync)).toEqual([]);
    expect(builders()).not.toContain(ours);
    expect(builders()).toContain(users);
    expect(execFileSync('docker', ['buildx', 'inspect'], { env: userEnv, encoding: 'utf8' })).toMatch(
      new RegExp(`^Name:\\s*${users}$`, 'm'),
    );
    expect(filesContaining(runner.dir, login)).toEqual([]);
  });
});

describe('main and post steps on a runner that keeps logins in a credential store', () => {
  it("never hand the run's token to the store, and leave it nowhere once the post step ran", async () => {
    const runner = new Runner();
    const calls = path.join(runner.dir, 'store-calls.log');
    writeFileSync(calls, '');
    // Runner puts <dir>/bin (its docker shim) first on PATH: the user's store helper goes there too.
    const helper = path.join(runner.dir, 'bin', 'docker-credential-teststore');
    writeFileSync(
      helper,
      `#!/bin/sh\ninput=$(cat)\nprintf '%s %s\\n' "$1" "$input" >> '${calls}'\n[ "$1" = list ] && echo '{}'\n[ "$1" = get ] && { echo 'credentials not found in native keychain'; exit 1; }\nexit 0\n`,
    );
    chmodSync(helper, 0o755);
    mkdirSync(path.join(runner.home, '.docker'));
    writeFileSync(path.join(runner.home, '.docker', 'config.json'), '{"credsStore":"teststore"}');
    writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(path.join(runner.workspace, 'hello.txt'), `store ${Date.now()}\n`);
    const main = await runner.main(github, { registry: registry.host });
    expect(main.exitCode).toBe(0);
    expect(main.state.credentialHelperDir).toBe(path.join(main.state.configDir, 'bin'));
    const post = await runner.post(github, { registry: registry.host }, main.state);
    expect(post.exitCode).toBe(0);
    const storeCalls = readFileSync(calls, 'utf8').split('\n').filter(Boolean);
    expect(storeCalls.filter((c) => /^(store|erase)/.test(c) || c.includes(TOKEN) || c.includes(registry.host))).toEqual([]);
    expect(existsSync(main.state.configDir)).toBe(false);
    expect(filesContaining(runner.dir, TOKEN)).toEqual([]);
  });
});
