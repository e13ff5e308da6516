import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CleanupDocker } from '../src/runner/cleanup.js';
import { cleanUp, run } from '../src/post.js';
import { createRunDir } from '../src/runner/run-dir.js';
import type { SavedState } from '../src/runner/state.js';
import { tempDir } from '../__fixtures__/temp-dir.js';

/** A runner's disk: RUNNER_TEMP, a HOME with the user's docker config, a workspace, and places outside. */
function machine() {
  const root = realpathSync(tempDir('post-'));
  const at = (...parts: string[]) => path.join(root, ...parts);
  const dir = (p: string) => {
    mkdirSync(p, { recursive: true });
    writeFileSync(path.join(p, 'keep.txt'), 'precious');
    return p;
  };
  const temp = dir(at('runner', 'temp'));
  const outside = dir(at('outside'));
  const m = {
    root,
    temp,
    home: dir(at('home')),
    dockerHome: dir(at('home', '.docker')),
    workspace: dir(at('workspace')),
    outsideWithPrefix: dir(at('etc', 'ghcr-publish-config-system')),
    runnerDir: path.dirname(temp),
    notOurs: dir(path.join(temp, 'tool-cache')),
    linkOut: path.join(temp, 'ghcr-publish-config-link'),
    viaLinkedParent: dir(path.join(outside, 'ghcr-publish-config-victim')),
    own: () => dir(createRunDir(temp, 'config')),
  };
  symlinkSync(outside, m.linkOut);
  symlinkSync(outside, path.join(temp, 'ghcr-publish-parent'));
  writeFileSync(path.join(temp, 'ghcr-publish-file'), 'precious');
  return m;
}

type Machine = ReturnType<typeof machine>;

/** Saved paths a hostile or corrupted state may hold, each naming a real directory that must survive. */
const HOSTILE: [string, (m: Machine) => { saved: string; survivor: string }][] = [
  ['the workspace', (m) => ({ saved: m.workspace, survivor: m.workspace })],
  ["the user's ~/.docker", (m) => ({ saved: m.dockerHome, survivor: m.dockerHome })],
  ['a system folder carrying the prefix', (m) => ({ saved: m.outsideWithPrefix, survivor: m.outsideWithPrefix })],
  ['a parent of RUNNER_TEMP', (m) => ({ saved: m.runnerDir, survivor: m.temp })],
  ['RUNNER_TEMP itself', (m) => ({ saved: m.temp, survivor: m.temp })],
  ['a directory in RUNNER_TEMP without the prefix', (m) => ({ saved: m.notOurs, survivor: m.notOurs })],
  ['a symlink in RUNNER_TEMP pointing outside', (m) => ({ saved: m.linkOut, survivor: path.join(m.root, 'outside') })],
  [
    'a path through a symlinked folder in RUNNER_TEMP',
    (m) => ({ saved: path.join(m.temp, 'ghcr-publish-parent', 'ghcr-publish-config-victim'), survivor: m.viaLinkedParent }),
  ],
  ["a '..' trick", (m) => ({ saved: `${m.temp}/ghcr-publish-config-x/../../../home`, survivor: m.home })],
  [
    'a relative path to an otherwise valid directory',
    (m) => {
      const own = m.own();
      return { saved: path.relative(process.cwd(), own), survivor: own };
    },
  ],
  ['a file with the prefix', (m) => ({ saved: path.join(m.temp, 'ghcr-publish-file'), survivor: path.join(m.temp, 'ghcr-publish-file') })],
];

const none: SavedState = {
  configDir: '',
  registry: '',
  loggedIn: false,
  logout: true,
  builder: '',
  buildxDir: '',
  secretsDir: '',
  buildOutputDir: '',
  credentialHelperDir: '',
};

let stdout: string;
const write = process.stdout.write.bind(process.stdout);
const savedEnv = { ...process.env };
beforeEach(() => {
  stdout = '';
  process.stdout.write = (chunk: string | Uint8Array) => ((stdout += chunk.toString()), true);
  process.exitCode = undefined;
});
afterEach(() => {
  process.stdout.write = write;
  process.env = { ...savedEnv };
});

const warnings = () => stdout.split('\n').filter((l) => l.startsWith('::warning::'));

/** A docker that records what the post step asked of it, and with which environment. */
function fakeDocker() {
  const calls: string[] = [];
  const envs: NodeJS.ProcessEnv[] = [];
  const docker = (env: NodeJS.ProcessEnv): CleanupDocker => {
    envs.push(env);
    return {
      logout: async (registry) => void calls.push(`logout ${registry}`),
      removeBuilder: async (name) => void calls.push(`buildx rm ${name}`),
    };
  };
  return { calls, envs, docker };
}

describe('the post step given hostile state', () => {
  describe.each(['configDir', 'secretsDir', 'buildOutputDir'] as const)('as %s', (role) => {
    it.each(HOSTILE)('leaves %s alone, with a warning naming it', async (_, pick) => {
      const m = machine();
      const { saved, survivor } = pick(m);
      const { calls, docker } = fakeDocker();
      await cleanUp({ ...none, [role]: saved, registry: 'ghcr.io', loggedIn: true }, { temp: m.temp, env: {}, docker });
      expect(readFileSync(statSync(survivor).isDirectory() ? path.join(survivor, 'keep.txt') : survivor, 'utf8')).toBe('precious');
      expect(warnings()).toEqual([expect.stringContaining(`Left ${saved} alone`)]);
      expect(calls).toEqual([]);
      expect(process.exitCode).toBeUndefined();
    });
  });

  it.each(['default', 'my-builder', '--help', 'ghcr-publish-../x', 'ghcr-publish-1\n::error::pwned'])(
    'does not remove the builder %j',
    async (name) => {
      const m = machine();
      const { calls, docker } = fakeDocker();
      await cleanUp({ ...none, builder: name }, { temp: m.temp, env: {}, docker });
      expect(calls).toEqual([]);
      expect(warnings()).toHaveLength(1);
      expect(stdout).not.toMatch(/^::error::/m);
    },
  );

  it('does not log out of a registry that is no host, and still deletes the login', async () => {
    const m = machine();
    const own = m.own();
    const { calls, docker } = fakeDocker();
    await cleanUp({ ...none, configDir: own, registry: 'ghcr.io\n::error::pwned', loggedIn: true }, { temp: m.temp, env: {}, docker });
    expect(calls).toEqual([]);
    expect(existsSync(own)).toBe(false);
    expect(stdout).not.toMatch(/^::error::/m);
  });

  it("gives docker neither a helper directory outside the run's configuration nor a relative buildx directory", async () => {
    const m = machine();
    const own = m.own();
    const { envs, docker } = fakeDocker();
    await cleanUp(
      { ...none, configDir: own, credentialHelperDir: m.workspace, buildxDir: 'buildx' },
      { temp: m.temp, env: { PATH: '/usr/bin' }, docker },
    );
    expect(envs).toEqual([{ PATH: '/usr/bin', DOCKER_CONFIG: own }]);
    expect(warnings()).toHaveLength(2);
  });
});

describe("the post step given this run's own state", () => {
  it('deletes the secrets, the build output and the configuration, removes the builder and logs out, with the helper on PATH', async () => {
    const m = machine();
    const [configDir, secretsDir, buildOutputDir] = [m.own(), m.own(), m.own()];
    mkdirSync(path.join(configDir, 'bin'));
    const { calls, envs, docker } = fakeDocker();
    const state = {
      ...none,
      configDir,
      secretsDir,
      buildOutputDir,
      registry: '127.0.0.1:5000',
      loggedIn: true,
      builder: 'ghcr-publish-42-1234',
      buildxDir: path.join(m.dockerHome, 'buildx'),
      credentialHelperDir: path.join(configDir, 'bin'),
    };
    await cleanUp(state, { temp: m.temp, env: { PATH: '/usr/bin' }, docker });
    expect(calls).toEqual(['buildx rm ghcr-publish-42-1234', 'logout 127.0.0.1:5000']);
    expect(envs).toEqual([
      {
        PATH: `${path.join(configDir, 'bin')}${path.delimiter}/usr/bin`,
        DOCKER_CONFIG: configDir,
        BUILDX_CONFIG: path.join(m.dockerHome, 'buildx'),
      },
    ]);
    for (const dir of [configDir, secretsDir, buildOutputDir]) expect(existsSync(dir)).toBe(false);
    expect(warnings()).toEqual([]);
    expect(readFileSync(path.join(m.dockerHome, 'keep.txt'), 'utf8')).toBe('precious');
  });

  it('with logout: false keeps the configuration for the rest of the job but deletes the secrets', async () => {
    const m = machine();
    const [configDir, secretsDir] = [m.own(), m.own()];
    const { calls, docker } = fakeDocker();
    await cleanUp(
      { ...none, configDir, secretsDir, registry: 'ghcr.io', loggedIn: true, logout: false },
      { temp: m.temp, env: {}, docker },
    );
    expect(calls).toEqual([]);
    expect(existsSync(configDir)).toBe(true);
    expect(existsSync(secretsDir)).toBe(false);
  });

  it('says a directory already gone is gone, without a warning', async () => {
    const m = machine();
    const { docker } = fakeDocker();
    await cleanUp({ ...none, secretsDir: path.join(m.temp, 'ghcr-publish-secrets-gone') }, { temp: m.temp, env: {}, docker });
    expect(warnings()).toEqual([]);
    expect(stdout).toContain('already gone');
  });

  it('turns a failed docker command into a warning', async () => {
    const m = machine();
    const own = m.own();
    const docker = (): CleanupDocker => ({
      logout: async () => Promise.reject(new Error('docker is not installed')),
      removeBuilder: async () => Promise.reject(new Error('no such builder')),
    });
    await cleanUp(
      { ...none, configDir: own, registry: 'ghcr.io', loggedIn: true, builder: 'ghcr-publish-1-2' },
      { temp: m.temp, env: {}, docker },
    );
    expect(warnings()).toHaveLength(2);
    expect(existsSync(own)).toBe(false);
    expect(process.exitCode).toBeUndefined();
  });
});

describe('the post entry', () => {
  /** Every module of ours that `file` reaches through its imports. */
  const reached = (file: string, seen = new Set<string>()): Set<string> => {
    seen.add(path.relative('src', file));
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)\.js'/g)) {
      const next = path.join(path.dirname(file), `${spec}.ts`);
      if (!seen.has(path.relative('src', next))) reached(next, seen);
    }
    return seen;
  };

  it('reaches no module that can build, log in or push: only the runner room: state, clean-up and logging', () => {
    const modules = [...reached('src/entry/post.ts')].sort();
    expect(modules).toEqual(expect.arrayContaining(['entry/post.ts', 'post.ts', 'runner/cleanup.ts', 'runner/state.ts']));
    expect(modules.filter((m) => !/^(entry\/post|post|runner\/[a-z-]+)\.ts$/.test(m))).toEqual([]);
  });
});

describe('the post step run as the runner runs it (state in STATE_* variables)', () => {
  const asRunner = (m: Machine, state: Record<string, string>) => {
    process.env = Object.fromEntries(Object.entries(savedEnv).filter(([k]) => !k.startsWith('STATE_')));
    process.env.RUNNER_TEMP = m.temp;
    for (const [k, v] of Object.entries(state)) process.env[`STATE_${k}`] = v;
  };

  it('with no state from the main step does nothing, says so in one line, and succeeds', async () => {
    const m = machine();
    const own = m.own();
    asRunner(m, {});
    await run();
    expect(stdout.trim().split('\n')).toEqual([expect.stringMatching(/^Nothing to clean up/)]);
    expect(existsSync(own)).toBe(true);
    expect(process.exitCode).toBeUndefined();
  });

  it('deletes its own directories and leaves the hostile ones, from RUNNER_TEMP as the runner sets it', async () => {
    const m = machine();
    const [configDir, secretsDir] = [m.own(), m.own()];
    asRunner(m, { configDir, secretsDir, buildOutputDir: m.workspace, registry: 'ghcr.io' });
    await run();
    expect(existsSync(configDir)).toBe(false);
    expect(existsSync(secretsDir)).toBe(false);
    expect(readFileSync(path.join(m.workspace, 'keep.txt'), 'utf8')).toBe('precious');
    expect(warnings()).toEqual([expect.stringContaining(`Left ${m.workspace} alone`)]);
    expect(process.exitCode).toBeUndefined();
  });

  it("treats another RUNNER_TEMP's directories as foreign", async () => {
    const m = machine();
    const own = m.own();
    asRunner(m, { secretsDir: own });
    process.env.RUNNER_TEMP = m.workspace;
    await run();
    expect(existsSync(own)).toBe(true);
    expect(warnings()).toHaveLength(1);
  });
});
