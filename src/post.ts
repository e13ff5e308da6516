import { lstatSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  type CleanupDocker,
  createCleanupDocker,
  safeText,
  PREFIX,
  isInside,
  isOwnBuilderName,
  recognise,
  runTemp,
  state,
  core,
} from './runner/index.js';

/** A registry host as the action names one: a DNS name or bracketed IPv6 address, with an optional port. */
const REGISTRY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/;

export interface PostDeps {
  /** RUNNER_TEMP: the only place the post step deletes anything. */
  temp: string;
  /** The step's environment, which docker's is made from. */
  env: NodeJS.ProcessEnv;
  docker(env: NodeJS.ProcessEnv): CleanupDocker;
}

/** The post step: cleans up what the main step created, never fails the job. */
export async function run(): Promise<void> {
  try {
    if (!state.anySaved()) {
      core.info('Nothing to clean up: the main step saved no state (it stopped before it created anything).');
      return;
    }
    await cleanUp(state.read(), { temp: runTemp(), env: process.env, docker: createCleanupDocker });
  } catch (e) {
    core.warning(`The clean-up stopped: ${safeText((e as Error).message)}`);
  }
}

/**
 * Deletes the build secrets and build output, removes the run's builder, logs out and deletes the
 * private docker configuration: each only when it is recognisably this run's (src/run-dir.ts).
 * Anything else the state names is left alone with a warning.
 */
export async function cleanUp(saved: state.SavedState, deps: PostDeps): Promise<void> {
  if (saved.secretsDir) await removeOwnDir(saved.secretsDir, 'the build secrets', deps.temp);
  if (saved.buildOutputDir) await removeOwnDir(saved.buildOutputDir, 'the build output', deps.temp);

  const configDir = saved.configDir ? ownDir(saved.configDir, "the run's docker configuration", deps.temp) : undefined;
  const docker = deps.docker(dockerEnv(saved, configDir, deps.env));
  if (saved.builder) {
    if (isOwnBuilderName(saved.builder)) await attempt(`remove the builder ${saved.builder}`, () => docker.removeBuilder(saved.builder));
    else leftAlone(saved.builder, 'the builder', `it is not a name this action gives (${PREFIX}…)`);
  }
  if (!configDir) return;
  if (!saved.logout) {
    core.info(`logout is false: the login stays in ${safeText(configDir)} (DOCKER_CONFIG) for the rest of the job.`);
    return;
  }
  if (saved.loggedIn) {
    if (REGISTRY.test(saved.registry)) await attempt(`log out of ${saved.registry}`, () => docker.logout(saved.registry));
    else leftAlone(saved.registry, 'the registry', 'it is not a registry host; deleting the configuration removes the login');
  }
  if (await attempt(`delete ${configDir}, which holds a registry login`, () => rmSync(configDir, { recursive: true, force: true }))) {
    core.info(`Removed the private docker configuration ${safeText(configDir)}.`);
  }
}

/**
 * Docker's environment: the run's own configuration (and its credential helper first on PATH)
 * when recognised, the user's buildx directory main resolved. Otherwise the step's own.
 */
function dockerEnv(saved: state.SavedState, configDir: string | undefined, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  if (configDir) {
    out.DOCKER_CONFIG = configDir;
    const helper = saved.credentialHelperDir;
    if (helper && helperInside(helper, configDir)) out.PATH = [helper, env.PATH].filter(Boolean).join(path.delimiter);
    else if (helper) leftAlone(helper, 'the credential helper directory', "it is not inside the run's docker configuration");
  }
  if (saved.buildxDir) {
    if (path.isAbsolute(saved.buildxDir) && !saved.buildxDir.split(/[\\/]/).includes('..')) out.BUILDX_CONFIG = saved.buildxDir;
    else leftAlone(saved.buildxDir, 'the buildx directory', 'it is not an absolute path');
  }
  return out;
}

/** A real directory (no symbolic link) inside the recognised configuration directory. */
function helperInside(dir: string, configDir: string): boolean {
  try {
    return !lstatSync(dir).isSymbolicLink() && isInside(realpathSync(dir), configDir);
  } catch {
    return false;
  }
}

/** The real path of a saved directory when it is this run's own; a warning and undefined otherwise. */
function ownDir(saved: string, what: string, temp: string): string | undefined {
  const found = recognise(saved, temp);
  if (found.kind === 'own') return found.path;
  if (found.kind === 'gone') core.info(`${what.charAt(0).toUpperCase()}${what.slice(1)} (${safeText(saved)}) is already gone.`);
  else leftAlone(saved, what, found.why);
  return undefined;
}

async function removeOwnDir(saved: string, what: string, temp: string): Promise<void> {
  const dir = ownDir(saved, what, temp);
  if (dir && (await attempt(`delete ${what} in ${dir}`, () => rmSync(dir, { recursive: true, force: true })))) {
    core.info(`Removed ${what} (${safeText(dir)}).`);
  }
}

function leftAlone(value: string, what: string, why: string): void {
  core.warning(
    `Left ${safeText(value)} alone, which the saved state names as ${what}: ${why}. The post step removes only what this run created (${PREFIX}… directly under RUNNER_TEMP).`,
  );
}

/** Runs one clean-up; a failure is a warning, never the job's failure. */
async function attempt(what: string, fn: () => void | Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (e) {
    core.warning(`Could not ${safeText(what)}: ${safeText((e as Error).message)}. Do it by hand if it matters.`);
    return false;
  }
}
