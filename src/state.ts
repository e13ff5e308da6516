import * as core from '@actions/core';

/** What the post step needs from the main step, each value under one name. */
const KEYS = {
  isPost: 'isPost',
  configDir: 'configDir',
  registry: 'registry',
  loggedIn: 'loggedIn',
  logout: 'logout',
  builder: 'builder',
  secretsDir: 'secretsDir',
} as const;

/** Set by the main step at its start: the same bundle then runs as the post step. */
export const isPost = (): boolean => core.getState(KEYS.isPost) === 'true';
export const markMainStarted = (): void => core.saveState(KEYS.isPost, 'true');

/** The private DOCKER_CONFIG of this run, to log out of and delete. */
export const configDir = (): string => core.getState(KEYS.configDir);
export const saveConfigDir = (dir: string): void => core.saveState(KEYS.configDir, dir);

/** The registry logged in to. */
export const registry = (): string => core.getState(KEYS.registry);
export const saveRegistry = (host: string): void => core.saveState(KEYS.registry, host);

/** Whether `docker login` succeeded. */
export const loggedIn = (): boolean => core.getState(KEYS.loggedIn) === 'true';
export const saveLoggedIn = (): void => core.saveState(KEYS.loggedIn, 'true');

/** The `logout` input: `false` keeps the login for later steps. */
export const logout = (): boolean => core.getState(KEYS.logout) !== 'false';
export const saveLogout = (value: boolean): void => core.saveState(KEYS.logout, String(value));


/** A buildx builder the action created for this run, to remove. */
export const builder = (): string => core.getState(KEYS.builder);
export const saveBuilder = (name: string): void => core.saveState(KEYS.builder, name);

/** The directory of this run's build secret files, to delete whatever `logout` says. */
export const secretsDir = (): string => core.getState(KEYS.secretsDir);
export const saveSecretsDir = (dir: string): void => core.saveState(KEYS.secretsDir, dir);
