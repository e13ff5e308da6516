import * as core from '@actions/core';
import os from 'node:os';
import { createCacheService } from './build-cache.js';
import type { Credential } from './credentials.js';
import { buildxConfigDir, createPrivateConfig } from './docker-config.js';
import { createDocker } from './docker.js';
import { reportFailure } from './failure.js';
import { readContext } from './github-context.js';
import { readSettings } from './inputs.js';
import { checkPackageLink } from './package-link.js';
import { publish } from './publish.js';
import { pushCheck } from './push-check.js';
import { RegistryClient } from './registry-client.js';
import { writeSecretFiles } from './secrets.js';
import * as state from './state.js';
import { setOutputs, writeSummary } from './summary.js';

/** One client per credential, so its registry token is asked for once. */
const clients = new Map<Credential | undefined, RegistryClient>();
function registryClient(host: string, credential: Credential | undefined): RegistryClient {
  if (!clients.has(credential)) clients.set(credential, new RegistryClient(host, credential));
  return clients.get(credential) as RegistryClient;
}

export async function run(): Promise<void> {
  try {
    const ctx = readContext();
    const settings = readSettings(ctx);
    const temp = process.env.RUNNER_TEMP || os.tmpdir();
    const configDir = createPrivateConfig(temp, settings.registry);
    state.saveConfigDir(configDir);
    state.saveRegistry(settings.registry);
    state.saveLogout(settings.logout);
    if (!settings.logout) core.exportVariable('DOCKER_CONFIG', configDir);

    const result = await publish(settings, ctx, {
      docker: createDocker(configDir, buildxConfigDir()),
      cache: createCacheService(),
      pushCheck: pushCheck(settings, (credential) => registryClient(settings.registry, credential)),
      manifest: (credential, repo, ref) => registryClient(settings.registry, credential).manifest(repo, ref),
      packageLink: (credential) => checkPackageLink(settings, ctx, credential),
      writeSecrets: (s) => writeSecretFiles(temp, s.secrets),
      state: { loggedIn: state.saveLoggedIn, builder: state.saveBuilder, secretsDir: state.saveSecretsDir },
      cacheBaseDir: temp,
      runDir: configDir,
      runId: ctx.runId,
      now: new Date(),
    });
    setOutputs(result);
    await writeSummary(result);
  } catch (e) {
    await reportFailure(e);
  }
}
