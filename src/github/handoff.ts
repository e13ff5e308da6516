import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * How a platform job tells the merge job of the same workflow run which image it pushed: an entry
 * in the Actions cache whose key carries the run, the platform, the attempt and the digest. Nothing
 * is tagged in the registry, so the package page shows nothing to clean up.
 */
export interface Handoff {
  available(): boolean;
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

// One fixed relative path, so the cache version is the same on every runner of the run.
const FILE = 'ghcr-publish-handoff';

/** `…/<run>/<platform>@` ends every key of one platform: `linux/arm64@` is no prefix of `linux/arm64/v8@`. */
export function handoffPrefix(scope: HandoffScope, platform: string): string {
  const image = createHash('sha256').update(scope.imageName).digest('hex').slice(0, 16);
  return `ghcr-publish-merge/${image}/${scope.runId || 'local'}/${platform}@`;
}

export function handoffKey(scope: HandoffScope, platform: string, digest: string): string {
  return `${handoffPrefix(scope, platform)}${scope.runAttempt || '1'}/${digest}`;
}

export function digestOfKey(key: string): string | undefined {
  return key.match(/\/(sha256:[0-9a-f]{64})$/)?.[1];
}

export function createHandoff(scope: HandoffScope, env: NodeJS.ProcessEnv = process.env): Handoff {
  const load = () => import('@actions/cache');
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
  return {
    available: () => Boolean(env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL),
    save: (platform, digest) =>
      inScratch(async (dir) => {
        writeFileSync(path.join(dir, FILE), `${digest}\n`);
        // @actions/cache turns most failures into a log line and -1; the merge job needs this entry.
        const id = await (await load()).saveCache([FILE], handoffKey(scope, platform, digest));
        if (id === -1) throw new Error('the Actions cache did not store the entry (see the lines above)');
      }),
    // A lookup reads no file: the merge job's lookups run at once, outside the scratch directory.
    find: async (platform) => {
      const prefix = handoffPrefix(scope, platform);
      const key = await (await load()).restoreCache([FILE], prefix, [prefix], { lookupOnly: true });
      return key ? digestOfKey(key) : undefined;
    },
  };
}
