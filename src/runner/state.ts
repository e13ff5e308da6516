import * as core from './workflow-commands.js';

/**
 * What the post step needs from the main step, each value under one name. The main step saves
 * each as soon as the thing exists; the post step works none of them out again, and trusts none
 * of them further than it can check (see post.ts).
 */
const KEYS = {
  configDir: 'configDir',
  registry: 'registry',
  loggedIn: 'loggedIn',
  logout: 'logout',
  builder: 'builder',
  buildxDir: 'buildxDir',
  secretsDir: 'secretsDir',
  buildOutputDir: 'buildOutputDir',
  credentialHelperDir: 'credentialHelperDir',
} as const;

/** The private DOCKER_CONFIG of this run, to log out of and delete. */
export const saveConfigDir = (dir: string): void => core.saveState(KEYS.configDir, dir);

/** The registry logged in to (host and port). */
export const saveRegistry = (host: string): void => core.saveState(KEYS.registry, host);

/** Saved once `docker login` succeeded. */
export const saveLoggedIn = (): void => core.saveState(KEYS.loggedIn, 'true');

/** The `logout` input: `false` keeps the login for later steps. */
export const saveLogout = (value: boolean): void => core.saveState(KEYS.logout, String(value));

/** A buildx builder the action created for this run (`ghcr-publish-…`), to remove; saved before creating it. */
export const saveBuilder = (name: string): void => core.saveState(KEYS.builder, name);

/** The user's buildx directory as main resolved it (BUILDX_CONFIG), where that builder lives. */
export const saveBuildxDir = (dir: string): void => core.saveState(KEYS.buildxDir, dir);

/** The directory of this run's build secret files, deleted whatever `logout` says. */
export const saveSecretsDir = (dir: string): void => core.saveState(KEYS.secretsDir, dir);

/** The directory a build wrote its OCI layout to, deleted whatever `logout` says. */
export const saveBuildOutputDir = (dir: string): void => core.saveState(KEYS.buildOutputDir, dir);

/** The directory of this run's credential helper (inside the config dir), which `docker logout` must find on PATH. */
export const saveCredentialHelperDir = (dir: string): void => core.saveState(KEYS.credentialHelperDir, dir);

/** Everything the main step saved; empty strings for what it did not. */
export interface SavedState {
  configDir: string;
  registry: string;
  loggedIn: boolean;
  /** True unless the main step saved `false`. */
  logout: boolean;
  builder: string;
  buildxDir: string;
  secretsDir: string;
  buildOutputDir: string;
  credentialHelperDir: string;
}

/** What the runner handed the post step (STATE_* variables). */
export function read(): SavedState {
  const get = (key: string) => core.getState(key);
  return {
    configDir: get(KEYS.configDir),
    registry: get(KEYS.registry),
    loggedIn: get(KEYS.loggedIn) === 'true',
    logout: get(KEYS.logout) !== 'false',
    builder: get(KEYS.builder),
    buildxDir: get(KEYS.buildxDir),
    secretsDir: get(KEYS.secretsDir),
    buildOutputDir: get(KEYS.buildOutputDir),
    credentialHelperDir: get(KEYS.credentialHelperDir),
  };
}

/** Whether the main step saved anything at all. */
export function anySaved(): boolean {
  return Object.values(KEYS).some((key) => core.getState(key) !== '');
}
