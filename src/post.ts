import * as core from '@actions/core';
import { buildxConfigDir, removePrivateConfig } from './docker-config.js';
import { createDocker } from './docker.js';
import { removeSecretFiles } from './secrets.js';
import * as state from './state.js';

/** Deletes build secrets, removes the run's builder, logs out and deletes the credentials. Never fails the job. */
export async function run(): Promise<void> {
  const secrets = state.secretsDir();
  if (secrets) await attempt(`delete the build secrets in ${secrets}`, () => removeSecretFiles(secrets));
  const dir = state.configDir();
  if (!dir) {
    core.info('Nothing to clean up: the main step stopped before it wrote any credentials.');
    return;
  }
  const docker = createDocker(dir, buildxConfigDir());
  const builder = state.builder();
  if (builder) await attempt(`remove the builder ${builder}`, () => docker.removeBuilder(builder));
  if (!state.logout()) {
    core.info(`logout is false: the login stays in ${dir} (DOCKER_CONFIG) for the rest of the job.`);
    return;
  }
  if (state.loggedIn()) await attempt(`log out of ${state.registry()}`, () => docker.logout(state.registry()));
  if (await attempt(`delete ${dir}, which holds a registry login`, () => removePrivateConfig(dir))) {
    core.info(`Removed the private docker configuration ${dir}.`);
  }
}

/** Runs one clean-up; a failure is a warning, never the job's failure. */
async function attempt(what: string, fn: () => void | Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (e) {
    core.warning(`Could not ${what}: ${(e as Error).message}. Do it by hand if it matters.`);
    return false;
  }
}
