import { accessSync, constants, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeCredentialHelper } from './credential-helper.js';
import { core, info, createRunDir } from '../runner/index.js';

export interface ConfigJson {
  auths?: Record<string, unknown>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

/** The user's docker configuration as the step found it, resolved once, before anything is exported. */
export interface UserDocker {
  /** DOCKER_CONFIG or ~/.docker: read to seed the private config, never written. */
  configDir: string;
  /** BUILDX_CONFIG or `<configDir>/buildx`: where the user's builders and their current one live. */
  buildxDir: string;
  /** Whether BUILDX_CONFIG was set already (then later steps have it and it is not exported). */
  buildxDirFromEnv: boolean;
}

export function resolveUserDocker(env: NodeJS.ProcessEnv = process.env): UserDocker {
  const configDir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  return { configDir, buildxDir: env.BUILDX_CONFIG || path.join(configDir, 'buildx'), buildxDirFromEnv: Boolean(env.BUILDX_CONFIG) };
}

/** This run's DOCKER_CONFIG. */
export interface PrivateConfig {
  /** `ghcr-publish-config-XXXXXX` under RUNNER_TEMP, 0700. */
  dir: string;
  /**
   * The directory of this run's credential helper, which docker must find first on PATH; only
   * when the user keeps logins in a credential store (`credsStore`), else our login is in config.json.
   */
  helperDir?: string;
}

/** The host a config.json key names (`https://host/v1/` or `host`). */
const hostOf = (key: string) => key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');

/**
 * The user's config.json made safe to log in beside: other registries' logins, helpers, the
 * credential store and settings are kept (so private base images still pull); anything for our
 * registry goes. With a store, our registry is routed to this run's own helper `helper`, so our
 * login lands in the private directory and never in a store that outlives the run.
 */
export function privateConfigJson(user: ConfigJson, registry: string, helper?: string): ConfigJson {
  const { credsStore, auths = {}, credHelpers = {}, ...rest } = user;
  const others = <T>(entries: Record<string, T>) => Object.fromEntries(Object.entries(entries).filter(([key]) => hostOf(key) !== registry));
  if (!credsStore) return { ...rest, auths: others(auths), credHelpers: others(credHelpers) };
  if (!helper) throw new Error('a user credential store needs a helper of the run');
  // `docker logout` erases the http:// and https:// forms too: they must not reach the user's store.
  const ours = Object.fromEntries([registry, `http://${registry}`, `https://${registry}`].map((key) => [key, helper]));
  return { ...rest, auths: others(auths), credsStore, credHelpers: { ...others(credHelpers), ...ours } };
}

/**
 * Creates this run's private DOCKER_CONFIG under `temp` (0700), seeded from the user's config
 * and sharing their CLI plugins (so buildx installed there works) and contexts (so the current
 * one still resolves). With a user `credsStore`, writes the run's credential helper too.
 */
export function createPrivateConfig(temp: string, registry: string, user: UserDocker, env: NodeJS.ProcessEnv = process.env): PrivateConfig {
  const dir = createRunDir(temp, 'config');
  let seed: ConfigJson = {};
  try {
    seed = JSON.parse(readFileSync(path.join(user.configDir, 'config.json'), 'utf8')) as ConfigJson;
  } catch {
    // no config of the user's, or not JSON: start empty
  }
  if (seed.credsStore && !findOnPath(`docker-credential-${seed.credsStore}`, env)) {
    // docker would fail on every registry with it; without it, the other logins in config.json still work
    info(
      `The credential store "${seed.credsStore}" in ${user.configDir}/config.json has no docker-credential-${seed.credsStore} on PATH; it is left out.`,
    );
    delete seed.credsStore;
  }
  const helper = seed.credsStore ? writeCredentialHelper(dir, registry) : undefined;
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(privateConfigJson(seed, registry, helper?.name), null, 2), { mode: 0o600 });
  for (const shared of ['cli-plugins', 'contexts']) {
    if (existsSync(path.join(user.configDir, shared))) symlinkSync(path.join(user.configDir, shared), path.join(dir, shared));
  }
  return { dir, helperDir: helper?.dir };
}

/** The first executable of this name in PATH's directories, as a shell would find it. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // not here: the next directory
    }
  }
  return undefined;
}

/** The environment every docker command of the main step runs with. */
export function dockerEnv(config: PrivateConfig, user: UserDocker, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const PATH = config.helperDir ? [config.helperDir, env.PATH].filter(Boolean).join(path.delimiter) : env.PATH;
  return { ...env, DOCKER_CONFIG: config.dir, BUILDX_CONFIG: user.buildxDir, PATH };
}

/**
 * For `logout: false`: later steps use the login through DOCKER_CONFIG, keep the user's builders
 * (BUILDX_CONFIG, unless set already) and find the run's credential helper (PATH).
 */
export function exportForLaterSteps(config: PrivateConfig, user: UserDocker): void {
  core.exportVariable('DOCKER_CONFIG', config.dir);
  if (!user.buildxDirFromEnv) core.exportVariable('BUILDX_CONFIG', user.buildxDir);
  if (config.helperDir) core.addPath(config.helperDir);
}

/** The docker context commands use: DOCKER_CONTEXT, else the configuration's `currentContext`, else `default`. */
export function currentContext(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  try {
    const config = JSON.parse(readFileSync(path.join(env.DOCKER_CONFIG ?? '', 'config.json'), 'utf8')) as ConfigJson;
    return typeof config.currentContext === 'string' && config.currentContext !== '' ? config.currentContext : 'default';
  } catch {
    return 'default';
  }
}
