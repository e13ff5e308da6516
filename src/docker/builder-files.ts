import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { currentContext, findOnPath } from './docker-config.js';

/** Where the docker CLI looks for plugins besides the configuration's own `cli-plugins` (docker/cli, manager_unix.go). */
const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins',
];
/** The endpoint buildx keys the default context's builder choice by. */
const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock';

/**
 * The current builder's driver, read from buildx's own files as `docker buildx inspect` would find
 * it (docker/buildx store.go: `current`, `defaults/`, `instances/`), in a millisecond where that
 * command costs a third of a second. Undefined wherever the files cannot settle it — another
 * docker context or host, an unknown builder, no buildx plugin where docker looks, or a `docker`
 * on PATH that is a script (podman-docker, a runner's wrapper), which may decide otherwise — and
 * then docker is asked.
 */
export function builderFromFiles(env: NodeJS.ProcessEnv, systemPluginDirs = SYSTEM_PLUGIN_DIRS): { driver: string } | undefined {
  const configDir = env.DOCKER_CONFIG;
  const buildxDir = env.BUILDX_CONFIG;
  if (!configDir || !buildxDir || env.DOCKER_HOST || currentContext(env) !== 'default') return undefined;
  if (!dockerIsTheCli(env)) return undefined;
  const config = readJson(path.join(configDir, 'config.json')) as { cliPluginsExtraDirs?: string[] } | undefined;
  const pluginDirs = [path.join(configDir, 'cli-plugins'), ...(config?.cliPluginsExtraDirs ?? []), ...systemPluginDirs];
  if (!pluginDirs.some((dir) => isFile(path.join(dir, 'docker-buildx')))) return undefined;

  const name = env.BUILDX_BUILDER || chosenBuilder(buildxDir);
  if (name === undefined) return undefined;
  if (name === '' || name === 'default') return { driver: 'docker' };
  const instance = readJson(path.join(buildxDir, 'instances', name)) as { Driver?: unknown } | undefined;
  return typeof instance?.Driver === 'string' && instance.Driver !== '' ? { driver: instance.Driver } : undefined;
}

/** The builder `docker buildx use` chose for the default context ('' for none); undefined when unreadable. */
function chosenBuilder(buildxDir: string): string | undefined {
  const current = readJson(path.join(buildxDir, 'current'));
  if (current === null) return undefined;
  const { Key, Name, Global } = (current ?? {}) as { Key?: unknown; Name?: unknown; Global?: unknown };
  if (typeof Name === 'string' && Name !== '' && (Global === true || Key === DEFAULT_ENDPOINT)) return Name;
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(DEFAULT_ENDPOINT).digest('hex').slice(0, 20);
  try {
    return readFileSync(path.join(buildxDir, 'defaults', hash), 'utf8').trim();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? '' : undefined;
  }
}

/** Whether the first `docker` on PATH is a program rather than a script standing in for one. */
function dockerIsTheCli(env: NodeJS.ProcessEnv): boolean {
  const docker = findOnPath('docker', env);
  if (!docker) return false;
  const head = Buffer.alloc(2);
  const fd = openSync(realpathSync(docker), 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString('latin1') !== '#!';
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A JSON file's content; undefined when it does not exist, null when it cannot be read or parsed. */
function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
  }
}
