import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from './inputs.js';

/** Where BuildKit's local cache lives between runs, and the Actions cache keys it is saved under. */
export interface CachePlan {
  /** The restored cache, read by the build; the same path is saved, so the cache version matches. */
  dir: string;
  /** Where the build writes its new cache, which then replaces `dir`: the cache does not grow run after run. */
  next: string;
  key: string;
  restoreKeys: string[];
}

/** The cache service as the action uses it; @actions/cache behind it. */
export interface CacheService {
  available(): boolean;
  /** The key restored, or undefined on a miss. */
  restore(plan: CachePlan): Promise<string | undefined>;
  save(plan: CachePlan): Promise<void>;
}

/**
 * Keys: the image, its platforms and a hash of what the build reads. An unchanged context hits its
 * key; a changed one restores the newest cache of the same image and platforms.
 */
export async function cachePlan(settings: Settings, baseDir: string): Promise<CachePlan> {
  const scope = `${settings.path}-${settings.platforms.join('+') || 'native'}`.replace(/[^A-Za-z0-9._+-]/g, '-');
  const prefix = `ghcr-publish-${scope}-`;
  const id = createHash('sha256').update(settings.imageName).update(scope).digest('hex').slice(0, 12);
  const dir = path.join(baseDir, `ghcr-publish-cache-${id}`);
  return { dir, next: `${dir}.next`, key: `${prefix}${await contextHash(settings)}`, restoreKeys: [prefix] };
}

/** A hash of the Dockerfile, the build's parameters and every file of the context but `.git`. */
export async function contextHash(settings: Settings): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([settings.buildArgs, settings.target, settings.platforms, path.relative(settings.context, settings.file)]));
  for (const file of [settings.file, ...walk(settings.context)]) {
    hash.update(`\0${path.relative(settings.context, file)}\0`);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex').slice(0, 32);
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '.git') files.push(...walk(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** The new cache replaces the one restored. */
export function rotate(plan: CachePlan): void {
  if (!existsSync(plan.next)) return;
  rmSync(plan.dir, { recursive: true, force: true });
  renameSync(plan.next, plan.dir);
}

export function createCacheService(): CacheService {
  // @actions/cache is large; it is loaded only when the cache is used.
  const load = () => import('@actions/cache');
  return {
    // What @actions/cache's isFeatureAvailable() checks, without loading it when there is no service.
    available: () => Boolean(process.env.ACTIONS_RESULTS_URL || process.env.ACTIONS_CACHE_URL),
    async restore(plan) {
      return (await load()).restoreCache([plan.dir], plan.key, plan.restoreKeys);
    },
    async save(plan) {
      await (await load()).saveCache([plan.dir], plan.key);
    },
  };
}
