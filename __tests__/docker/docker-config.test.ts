import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  createPrivateConfig,
  dockerEnv,
  exportForLaterSteps,
  privateConfigJson,
  resolveUserDocker,
} from '../../src/docker/docker-config.js';
import { parseFileCommand } from '../support/runner.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const tmp = (prefix: string) => tempDir(prefix);

/** A PATH holding the user's store helper `docker-credential-teststore`. */
function storeOnPath(): NodeJS.ProcessEnv {
  const bin = tmp('bin-');
  writeFileSync(path.join(bin, 'docker-credential-teststore'), '#!/bin/sh\n', { mode: 0o755 });
  return { PATH: `/nonexistent${path.delimiter}${bin}` };
}

describe("the private config.json, seeded from the user's", () => {
  const user = {
    auths: { 'ghcr.io': { auth: 'old' }, 'https://ghcr.io/v1/': { auth: 'old' }, 'https://index.docker.io/v1/': { auth: 'hub' } },
    credHelpers: { 'ghcr.io': 'gh', 'gcr.io': 'gcloud' },
    proxies: { default: {} },
  };

  it("without a credential store: keeps other registries' logins and drops our registry's entries", () => {
    expect(privateConfigJson(user, 'ghcr.io')).toEqual({
      auths: { 'https://index.docker.io/v1/': { auth: 'hub' } },
      credHelpers: { 'gcr.io': 'gcloud' },
      proxies: { default: {} },
    });
  });

  it("with a credential store: keeps the store for other registries and routes ours to the run's helper", () => {
    expect(privateConfigJson({ ...user, credsStore: 'desktop' }, 'ghcr.io', 'ghcr-publish-config-abc123')).toEqual({
      auths: { 'https://index.docker.io/v1/': { auth: 'hub' } },
      credsStore: 'desktop',
      credHelpers: {
        'gcr.io': 'gcloud',
        'ghcr.io': 'ghcr-publish-config-abc123',
        'http://ghcr.io': 'ghcr-publish-config-abc123',
        'https://ghcr.io': 'ghcr-publish-config-abc123',
      },
      proxies: { default: {} },
    });
  });
});

describe('the private DOCKER_CONFIG', () => {
  it('is a fresh 0700 directory per run under RUNNER_TEMP that shares the CLI plugins and contexts', () => {
    const home = tmp('home-');
    mkdirSync(path.join(home, 'cli-plugins'));
    mkdirSync(path.join(home, 'contexts'));
    writeFileSync(path.join(home, 'config.json'), '{"auths":{"ghcr.io":{"auth":"x"}}}');
    const temp = tmp('temp-');
    const user = resolveUserDocker({ DOCKER_CONFIG: home });
    const a = createPrivateConfig(temp, 'ghcr.io', user);
    const b = createPrivateConfig(temp, 'ghcr.io', user);
    expect(a.dir).not.toBe(b.dir);
    expect(path.dirname(a.dir)).toBe(temp);
    expect(path.basename(a.dir)).toMatch(/^ghcr-publish-config-/);
    expect(statSync(a.dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(a.dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path.join(a.dir, 'config.json'), 'utf8'))).toEqual({ auths: {}, credHelpers: {} });
    expect(lstatSync(path.join(a.dir, 'cli-plugins')).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(a.dir, 'contexts')).isSymbolicLink()).toBe(true);
    expect(a.helperDir).toBeUndefined();
  });

  it("with a user's credential store, holds the run's credential helper, named in config.json", () => {
    const home = tmp('home-');
    writeFileSync(path.join(home, 'config.json'), JSON.stringify({ credsStore: 'teststore', auths: { 'other.example': {} } }));
    const config = createPrivateConfig(tmp('temp-'), '127.0.0.1:5000', resolveUserDocker({ DOCKER_CONFIG: home }), storeOnPath());
    const name = path.basename(config.dir);
    expect(config.helperDir).toBe(path.join(config.dir, 'bin'));
    expect(statSync(path.join(config.dir, 'bin', `docker-credential-${name}`)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path.join(config.dir, 'config.json'), 'utf8'))).toEqual({
      auths: { 'other.example': {} },
      credsStore: 'teststore',
      credHelpers: { '127.0.0.1:5000': name, 'http://127.0.0.1:5000': name, 'https://127.0.0.1:5000': name },
    });
  });

  it('leaves out a credential store whose helper is not on PATH, as docker would fail on every registry with it', () => {
    const home = tmp('home-');
    writeFileSync(path.join(home, 'config.json'), JSON.stringify({ credsStore: 'teststore', auths: { 'other.example': { auth: 'x' } } }));
    const config = createPrivateConfig(tmp('temp-'), 'ghcr.io', resolveUserDocker({ DOCKER_CONFIG: home }), { PATH: '/nonexistent' });
    expect(config.helperDir).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(config.dir, 'config.json'), 'utf8'))).toEqual({
      auths: { 'other.example': { auth: 'x' } },
      credHelpers: {},
    });
  });
});

describe("the user's docker configuration, resolved once", () => {
  it.each([
    [{ HOME: '/h' }, { configDir: '/h/.docker', buildxDir: '/h/.docker/buildx', buildxDirFromEnv: false }],
    [{ DOCKER_CONFIG: '/cfg' }, { configDir: '/cfg', buildxDir: '/cfg/buildx', buildxDirFromEnv: false }],
    [
      { DOCKER_CONFIG: '/cfg', BUILDX_CONFIG: '/bx' },
      { configDir: '/cfg', buildxDir: '/bx', buildxDirFromEnv: true },
    ],
  ])('%j → %j', (env, expected) => {
    expect(resolveUserDocker(env)).toEqual(expected);
  });
});

describe('logout: false hands the login to later steps without losing their builder', () => {
  const saved = { ...process.env };
  let files: string;
  beforeEach(() => {
    files = tmp('files-');
    writeFileSync(path.join(files, 'env'), '');
    writeFileSync(path.join(files, 'path'), '');
    process.env.GITHUB_ENV = path.join(files, 'env');
    process.env.GITHUB_PATH = path.join(files, 'path');
    delete process.env.DOCKER_CONFIG;
    delete process.env.BUILDX_CONFIG;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  /** The environment a later step gets: the job's, then what the step exported (buildx reads BUILDX_CONFIG, else DOCKER_CONFIG/buildx). */
  const laterStepBuildxDir = (env: NodeJS.ProcessEnv) => {
    const exported = parseFileCommand(readFileSync(path.join(files, 'env'), 'utf8'));
    const later = { ...env, ...exported };
    return later.BUILDX_CONFIG || path.join(later.DOCKER_CONFIG ?? '', 'buildx');
  };

  it("exports DOCKER_CONFIG and the user's buildx directory, and main's docker keeps the user's builder too", () => {
    const home = tmp('home-');
    const jobEnv = { HOME: home, DOCKER_CONFIG: path.join(home, '.docker') };
    const user = resolveUserDocker(jobEnv);
    const config = createPrivateConfig(tmp('temp-'), 'ghcr.io', user);
    exportForLaterSteps(config, user);
    expect(parseFileCommand(readFileSync(path.join(files, 'env'), 'utf8')).DOCKER_CONFIG).toBe(config.dir);
    expect(laterStepBuildxDir(jobEnv)).toBe(path.join(home, '.docker', 'buildx'));
    // resolved before the export, docker in this step still points buildx at the user's builders
    expect(dockerEnv(config, user, process.env)).toMatchObject({
      DOCKER_CONFIG: config.dir,
      BUILDX_CONFIG: path.join(home, '.docker', 'buildx'),
    });
  });

  it('leaves a BUILDX_CONFIG the user set alone, and puts the credential helper on PATH', () => {
    const home = tmp('home-');
    writeFileSync(path.join(home, 'config.json'), '{"credsStore":"teststore"}');
    const jobEnv = { DOCKER_CONFIG: home, BUILDX_CONFIG: '/opt/buildx' };
    const user = resolveUserDocker(jobEnv);
    const config = createPrivateConfig(tmp('temp-'), 'ghcr.io', user, storeOnPath());
    exportForLaterSteps(config, user);
    expect(parseFileCommand(readFileSync(path.join(files, 'env'), 'utf8'))).toEqual({ DOCKER_CONFIG: config.dir });
    expect(laterStepBuildxDir(jobEnv)).toBe('/opt/buildx');
    expect(readFileSync(path.join(files, 'path'), 'utf8').trim()).toBe(config.helperDir);
  });

  it('gives docker the helper first on PATH only when there is one', () => {
    const user = resolveUserDocker({ DOCKER_CONFIG: '/cfg' });
    expect(dockerEnv({ dir: '/t/c', helperDir: '/t/c/bin' }, user, { PATH: '/usr/bin' })).toEqual({
      PATH: `/t/c/bin${path.delimiter}/usr/bin`,
      DOCKER_CONFIG: '/t/c',
      BUILDX_CONFIG: '/cfg/buildx',
    });
    expect(dockerEnv({ dir: '/t/c' }, user, { PATH: '/usr/bin' }).PATH).toBe('/usr/bin');
  });
});
