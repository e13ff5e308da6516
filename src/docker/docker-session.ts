import {
  type PrivateConfig,
  type UserDocker,
  createPrivateConfig,
  dockerEnv,
  exportForLaterSteps,
  resolveUserDocker,
} from './docker-config.js';
import { type Docker, type DockerProcesses, createDocker } from './docker.js';
import { info, state } from '../runner/index.js';

/**
 * The docker CLI for this run, set up on first use: a run that needs no engine (a dry run, a
 * promote or merge that keeps no login) writes no private configuration at all.
 */
export function dockerSession(registry: string, logout: boolean, temp: string, uploadLimitMs?: number): DockerProcesses {
  // Resolved once, before anything is exported: the user's builders stay where the user chose them.
  const user: UserDocker = resolveUserDocker();
  let processes: DockerProcesses | undefined;
  const open = (): Docker => {
    if (processes) return processes.docker;
    const config: PrivateConfig = createPrivateConfig(temp, registry, user);
    state.saveConfigDir(config.dir);
    state.saveRegistry(registry);
    state.saveLogout(logout);
    state.saveBuildxDir(user.buildxDir);
    if (config.helperDir) state.saveCredentialHelperDir(config.helperDir);
    // The docker commands' environment first: the export below changes this process's PATH.
    const env = dockerEnv(config, user);
    if (!logout) exportForLaterSteps(config, user);
    processes = createDocker(env, {
      attempts: 4,
      uploadLimitMs,
      delayMs: (attempt) => 1000 * 2 ** (attempt - 1),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      onRetry: info,
    });
    return processes.docker;
  };
  const docker: Docker = {
    builder: (needed) => open().builder(needed),
    createBuilder: (name) => open().createBuilder(name),
    removeBuilder: (name) => open().removeBuilder(name),
    login: (host, username, secret) => open().login(host, username, secret),
    logout: (host) => open().logout(host),
    build: (spec, buildx) => open().build(spec, buildx),
    push: (reference) => open().push(reference),
    layerSizes: (reference) => open().layerSizes(reference),
  };
  return { docker, interrupt: (signal) => processes?.interrupt(signal) };
}
