import { rmSync } from 'node:fs';
import { createdTime, makePlan } from './plan/index.js';
import { readContext, info, createBuildOutputDir, runTemp, writeSecretFiles, state } from './runner/index.js';
import type { PackagesApi } from './github/index.js';
import type { RunDeps } from './publish/index.js';
import { readSettings } from './settings/index.js';

/** Reads the inputs, makes the plan, and has it carried out; every failure is reported in one place. */
export async function run(): Promise<void> {
  try {
    const ctx = readContext();
    const settings = readSettings(ctx);
    const temp = runTemp();
    // A promote or merge builds nothing: the commit's time matters only to a build.
    const builds = !settings.promote && settings.merge.length === 0;
    const plan = makePlan(settings, ctx, await createdTime(settings.reproducible && builds, ctx, settings.context, new Date()));
    // What a run needs once its inputs are valid: loaded then, not in a step that fails on them.
    const { createBuildCache, dockerSession } = await import('./docker/index.js');
    const { execute, setOutputs, writeSummary } = await import('./publish/index.js');
    const { createAttestor, createPackagesApi, createHandoff, checkPackageLink, packageName, packageType, pruneUntagged } =
      await import('./github/index.js');
    const { defaultRetry, detectType, registryLimits, registryPorts } = await import('./registry/index.js');
    const retry = { ...defaultRetry, onRetry: info };
    // One API client per credential, for the link check and the prune alike.
    const apis = new Map<string, PackagesApi>();
    const api = (secret: string): PackagesApi =>
      apis.get(secret) ?? apis.set(secret, createPackagesApi(ctx.apiUrl, secret, retry)).get(secret)!;
    const ports = registryPorts(retry);
    const limits = registryLimits(settings.registryType);
    const registry = ports(settings.registry, limits);
    const session = dockerSession(settings.registry, settings.logout, temp, limits.uploadMs);
    onCancel((signal) => {
      info(`Cancelled (${signal}): stopping the docker commands; the post step removes what this run created.`);
      session.interrupt(signal);
    });
    const deps: RunDeps = {
      ctx,
      docker: session.docker,
      registry,
      otherRegistry: (other) =>
        ports(
          other.registry,
          registryLimits(detectType(other.registry, ctx.serverUrl)),
        )({ username: other.username, secret: other.password }),
      cache: createBuildCache(),
      handoff: createHandoff({ imageName: plan.imageName, runId: ctx.runId, runAttempt: ctx.runAttempt, tempDir: temp }),
      packageLink: (credential) => checkPackageLink(settings, ctx, credential, { retry, api: api(credential.secret) }),
      prune: async (p, credential, keep, dryRun) => {
        const outcome = await pruneUntagged(
          {
            owner: settings.owner,
            packageType: packageType(settings),
            packageName: packageName(settings),
            repoPath: p.path,
            olderThanMs: p.prune ?? 0,
            keepDigests: keep,
            dryRun,
            now: new Date(),
          },
          {
            api: api(credential.secret),
            manifest: (repo, ref) => registry(credential).manifest(repo, ref),
            info,
            warning: () => undefined,
          },
        );
        return { deleted: dryRun ? outcome.wouldDelete : outcome.deleted, warning: outcome.warning };
      },
      attestor: createAttestor(ctx, settings.token, retry),
      writeSecrets: (secrets) => writeSecretFiles(temp, secrets),
      makeBuildDir: () => createBuildOutputDir(temp),
      removeBuildDir: (dir) => rmSync(dir, { recursive: true, force: true }),
      state: {
        loggedIn: state.saveLoggedIn,
        builder: state.saveBuilder,
        secretsDir: state.saveSecretsDir,
        buildDir: state.saveBuildOutputDir,
      },
      tempDir: temp,
    };
    const result = await execute(plan, deps);
    setOutputs(result);
    await writeSummary(result);
  } catch (e) {
    const { reportFailure } = await import('./publish/index.js');
    await reportFailure(e);
  }
}

/**
 * A cancelled job gets SIGINT, then SIGTERM: docker's commands are stopped with it (a build left
 * running would write into what the post step deletes), and the step ends as failed.
 */
function onCancel(stop: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.exitCode = 1;
      stop(signal);
      // Whatever docker does, the step ends soon after the second signal.
      if (signal === 'SIGTERM') setTimeout(() => process.exit(1), 3000).unref();
    });
  }
}
