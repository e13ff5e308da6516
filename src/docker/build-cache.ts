import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { contextHash } from './context-hash.js';

/** What the cache of one build is keyed on and where it lives. */
export interface CacheInput {
  imageName: string;
  /** The image's path on its registry (`owner/name`): it names the key. */
  path: string;
  platforms: string[];
  context: string;
  file: string;
  buildArgs: string[];
  target: string;
  /** A directory that is the same in every run (RUNNER_TEMP): the cache's path is part of its version. */
  baseDir: string;
}

/** The cache as one build uses it. */
export interface CacheUse {
  key: string;
  /** Dir BuildKit reads (--cache-from type=local,src=), when something was restored. */
  from?: string;
  /** Dir BuildKit writes (--cache-to type=local,dest=…,mode=max). */
  to: string;
  hit: 'exact' | 'partial' | 'miss';
  restoredKey?: string;
}

/** The Actions cache as builds use it: the filesystem work and @actions/cache behind one seam. */
export interface BuildCache {
  available(): boolean;
  /** Hashes what the build can read, restores the nearest cache (exact key, else newest of the same image+platforms). Throws on service errors (the caller warns). */
  restore(input: CacheInput): Promise<CacheUse>;
  /** The new cache replaces the restored one (the cache does not grow run after run); saved unless the key was an exact hit, then removed from the disk. Throws on errors. */
  save(use: CacheUse): Promise<void>;
}

/** Where BuildKit writes the new cache: beside the restored one, which it then replaces. */
const NEXT = '.next';

/**
 * Keys: `ghcr-publish-<image path>-<platforms>-<hash of what the build reads>`. An unchanged build
 * hits its key; a changed one restores the newest cache of the same image and platforms.
 */
export function createBuildCache(env: NodeJS.ProcessEnv = process.env): BuildCache {
  // @actions/cache is large: it is loaded only when a cache is used.
  const service = () => import('@actions/cache');
  return {
    // What @actions/cache's isFeatureAvailable() checks, without loading it.
    available: () => Boolean(env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL),

    async restore(input) {
      const scope = `${input.path}-${input.platforms.join('+') || 'native'}`.replace(/[^A-Za-z0-9._+-]/g, '-');
      const prefix = `ghcr-publish-${scope}-`;
      const id = createHash('sha256').update(input.imageName).update(scope).digest('hex').slice(0, 12);
      const dir = path.join(input.baseDir, `ghcr-publish-cache-${id}`);
      const to = `${dir}${NEXT}`;
      // Loading @actions/cache overlaps the hashing; a failure to load is told by the await below.
      const loading = service();
      loading.catch(() => undefined);
      // BuildKit adds to what it finds in `to`: start it empty, whatever an earlier run left.
      await rm(to, { recursive: true, force: true });
      const key = `${prefix}${await contextHash(input)}`;
      const restoredKey = await (await loading).restoreCache([dir], key, [prefix]);
      if (!restoredKey) return { key, to, hit: 'miss' };
      return { key, from: existsSync(dir) ? dir : undefined, to, hit: restoredKey === key ? 'exact' : 'partial', restoredKey };
    },

    async save(use) {
      if (!use.to.endsWith(NEXT)) throw new Error(`${use.to} is not a cache directory this build cache handed out.`);
      const dir = use.to.slice(0, -NEXT.length);
      try {
        if (!existsSync(use.to)) return;
        await rm(dir, { recursive: true, force: true });
        await rename(use.to, dir);
        // A key is written once: an exact hit holds this cache already.
        if (use.hit !== 'exact') await (await service()).saveCache([dir], use.key);
      } finally {
        // Of no more use once saved, and as large as the image's layers: the job's later steps get the room back.
        await rm(dir, { recursive: true, force: true });
        await rm(use.to, { recursive: true, force: true });
      }
    },
  };
}
