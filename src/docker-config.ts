import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface ConfigJson {
  auths?: Record<string, unknown>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

/** Where the user's own docker configuration lives; the action never writes there. */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

/** buildx keeps its builders in the user's configuration, so a builder the user chose stays chosen. */
export function buildxConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BUILDX_CONFIG || path.join(userConfigDir(env), 'buildx');
}

/**
 * The user's config.json made safe to log in beside: other registries' logins and settings are
 * kept (so private base images still pull); the global credential store and anything for our
 * registry go, so our login is written to the private file and nowhere else.
 */
export function privateConfigJson(user: ConfigJson, registry: string): ConfigJson {
  const { credsStore: _store, auths = {}, credHelpers = {}, ...rest } = user;
  const others = <T>(entries: Record<string, T>) =>
    Object.fromEntries(Object.entries(entries).filter(([host]) => host.replace(/^https?:\/\//, '').replace(/\/.*$/, '') !== registry));
  return { ...rest, auths: others(auths), credHelpers: others(credHelpers) };
}

/**
 * Creates this run's private DOCKER_CONFIG under `baseDir` (mode 0700), seeded from the user's
 * config and sharing the user's CLI plugins, so buildx installed there still works.
 */
export function createPrivateConfig(baseDir: string, registry: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(path.join(baseDir, 'ghcr-publish-'));
  const user = userConfigDir(env);
  let seed: ConfigJson = {};
  try {
    seed = JSON.parse(readFileSync(path.join(user, 'config.json'), 'utf8')) as ConfigJson;
  } catch {
    // no config of the user's, or not JSON: start empty
  }
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(privateConfigJson(seed, registry), null, 2), { mode: 0o600 });
  if (existsSync(path.join(user, 'cli-plugins'))) symlinkSync(path.join(user, 'cli-plugins'), path.join(dir, 'cli-plugins'));
  return dir;
}

export function removePrivateConfig(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
