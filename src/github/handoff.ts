import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ActionError } from '../runner/index.js';

/**
 * How a platform job tells the merge job of the same workflow run which image it pushed: an entry
 * in the Actions cache whose key carries the run, the platform, the attempt and the digest. Nothing
 * is tagged in the registry, so the package page shows nothing to clean up.
 */
export interface Handoff {
  /**
   * Before a platform job builds: that a hand-over can be written here (the service, the runner's
   * cache mode, and a small entry the service must accept). Throws an ActionError saying what to do.
   */
  checkWrite(platform: string): Promise<void>;
  /** Before a merge job looks: that hand-overs can be read here. Throws an ActionError saying what to do. */
  checkRead(): Promise<void>;
  save(platform: string, digest: string): Promise<void>;
  /** The digest the newest attempt of this run pushed for `platform`, if any. */
  find(platform: string): Promise<string | undefined>;
}

export interface HandoffScope {
  imageName: string;
  runId: string;
  runAttempt: string;
  tempDir: string;
}

/** What the handoff uses of @actions/cache. */
export type CacheLibrary = Pick<typeof import('@actions/cache'), 'isFeatureAvailable' | 'saveCache' | 'restoreCache'>;

// One fixed relative path, so the cache version is the same on every runner of the run.
const FILE = 'ghcr-publish-handoff';
const ONE_JOB =
  'or build every platform in one job (platforms: linux/amd64,linux/arm64, without push: by-digest and merge), which needs no hand-over';

/** `…/<run>/<platform>@` ends every key of one platform: `linux/arm64@` is no prefix of `linux/arm64/v8@`. */
export function handoffPrefix(scope: HandoffScope, platform: string): string {
  return `ghcr-publish-merge/${imageHash(scope)}/${scope.runId || 'local'}/${platform}@`;
}

export function handoffKey(scope: HandoffScope, platform: string, digest: string): string {
  return `${handoffPrefix(scope, platform)}${scope.runAttempt || '1'}/${digest}`;
}

/** The entry that proves, before the build, that this job may write the cache: under a prefix the merge job never reads. */
export function probeKey(scope: HandoffScope, platform: string): string {
  return `ghcr-publish-probe/${imageHash(scope)}/${scope.runId || 'local'}/${platform}@${scope.runAttempt || '1'}/${randomUUID()}`;
}

export function digestOfKey(key: string): string | undefined {
  return key.match(/\/(sha256:[0-9a-f]{64})$/)?.[1];
}

const imageHash = (scope: HandoffScope) => createHash('sha256').update(scope.imageName).digest('hex').slice(0, 16);

/**
 * What `ACTIONS_CACHE_MODE` allows, as @actions/cache 6.3 reads it (lib/internal/config.js,
 * actions/toolkit#2447): `read`, `write`, `write-only` or `none`; unset or unknown allows both.
 */
export function cacheModeAllows(mode: string | undefined, access: 'read' | 'write'): boolean {
  const m = (mode ?? '').trim().toLowerCase();
  if (!['none', 'read', 'write', 'write-only'].includes(m)) return true;
  return access === 'read' ? m === 'read' || m === 'write' : m === 'write' || m === 'write-only';
}

/** GitHub Enterprise Server, by @actions/cache's rule (isGhes): a server that is not github.com, GHE.com or *.localhost. */
function onEnterpriseServer(env: NodeJS.ProcessEnv): boolean {
  const host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toLowerCase();
  return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost');
}

export function createHandoff(
  scope: HandoffScope,
  env: NodeJS.ProcessEnv = process.env,
  load: () => Promise<CacheLibrary> = () => import('@actions/cache'),
): Handoff {
  /**
   * @actions/cache finds a relative path from the working directory and archives it relative to
   * GITHUB_WORKSPACE: both point at a directory of our own meanwhile (a save happens alone).
   */
  const inScratch = async <T>(fn: (dir: string) => Promise<T>): Promise<T> => {
    const dir = mkdtempSync(path.join(scope.tempDir, 'ghcr-publish-handoff-'));
    const workspace = env.GITHUB_WORKSPACE;
    const cwd = process.cwd();
    env.GITHUB_WORKSPACE = dir;
    process.chdir(dir);
    try {
      return await fn(dir);
    } finally {
      process.chdir(cwd);
      if (workspace === undefined) delete env.GITHUB_WORKSPACE;
      else env.GITHUB_WORKSPACE = workspace;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  /** Writes `content` under `key`; false when the cache did not store it (@actions/cache turns most failures into a log line and -1). */
  const write = (key: string, content: string) =>
    inScratch(async (dir) => {
      writeFileSync(path.join(dir, FILE), content);
      return (await (await load()).saveCache([FILE], key)) !== -1;
    });
  /** The service @actions/cache would use, or an ActionError saying there is none. */
  const requireService = async (input: string) => {
    if ((await load()).isFeatureAvailable()) return;
    const ghes = onEnterpriseServer(env);
    throw new ActionError(
      `this runner offers no Actions cache service${ghes ? ' (on GitHub Enterprise Server: ACTIONS_CACHE_URL is not set)' : ''}, through which the platform jobs (push: by-digest) hand their images to the merge job; nothing was built.`,
      `${ghes ? 'An administrator of the server enables the Actions cache (GitHub Actions cache storage), ' : 'Run the jobs on runners with the Actions cache (github.com has it), '}${ONE_JOB}.`,
      input,
    );
  };
  return {
    async checkWrite(platform) {
      await requireService('push');
      if (!cacheModeAllows(env.ACTIONS_CACHE_MODE, 'write')) {
        throw new ActionError(
          `this job's Actions cache mode (ACTIONS_CACHE_MODE=${env.ACTIONS_CACHE_MODE}) does not allow writes, and push: by-digest hands the ${platform} image to the merge job through the cache; nothing was built.`,
          `Run the platform jobs where the cache may be written (a push or workflow_dispatch run, not pull_request_target), ${ONE_JOB}.`,
          'push',
        );
      }
      if (!(await write(probeKey(scope, platform), 'can write\n'))) {
        throw new ActionError(
          `the Actions cache refused a test entry (see the warning above; "cache write denied" means this run's token may only read the cache, as on pull_request_target, check_run and other runs GitHub does not trust with writes), and push: by-digest hands the ${platform} image to the merge job through the cache; nothing was built.`,
          `Run the platform jobs on an event whose runs may write the cache (push, workflow_dispatch, a tag), ${ONE_JOB}.`,
          'push',
        );
      }
    },
    async checkRead() {
      await requireService('merge');
      if (!cacheModeAllows(env.ACTIONS_CACHE_MODE, 'read')) {
        throw new ActionError(
          `this job's Actions cache mode (ACTIONS_CACHE_MODE=${env.ACTIONS_CACHE_MODE}) does not allow reads, and the merge job finds the platform images through the cache.`,
          `Run the merge job where the cache may be read, ${ONE_JOB}.`,
          'merge',
        );
      }
    },
    save: async (platform, digest) => {
      if (!(await write(handoffKey(scope, platform, digest), `${digest}\n`))) {
        throw new Error('the Actions cache did not store the entry (see the lines above)');
      }
    },
    // A lookup reads no file: the merge job's lookups run at once, outside the scratch directory.
    find: async (platform) => {
      const prefix = handoffPrefix(scope, platform);
      const key = await (await load()).restoreCache([FILE], prefix, [prefix], { lookupOnly: true });
      return key ? digestOfKey(key) : undefined;
    },
  };
}
