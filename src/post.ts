import * as core from '@actions/core';
import { removePrivateConfig, buildxConfigDir } from './docker-config.js';
import { createDocker } from './docker.js';
import * as state from './state.js';

/** Logs out and deletes the run's private credentials. Reports problems; never fails the job. */
export async function run(): Promise<void> {
  const dir = state.configDir();
  if (!dir) {
    core.info('Nothing to clean up: the main step stopped before it wrote any credentials.');
    return;
  }
  if (!state.logout()) {
    core.info(`logout is false: the login stays in ${dir} (DOCKER_CONFIG) for the rest of the job.`);
    return;
  }
  if (state.loggedIn()) {
    try {
      await createDocker(dir, buildxConfigDir()).logout(state.registry());
    } catch (e) {
      core.warning(`Logging out of ${state.registry()} failed: ${(e as Error).message}. The credentials file is deleted all the same.`);
    }
  }
  try {
    removePrivateConfig(dir);
    core.info(`Removed the private docker configuration ${dir}.`);
  } catch (e) {
    core.warning(`Could not delete ${dir}: ${(e as Error).message}. Delete it by hand; it holds a registry login.`);
  }
}
