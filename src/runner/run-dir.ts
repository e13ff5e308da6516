import { chmodSync, lstatSync, mkdtempSync, realpathSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Every directory and builder this action creates carries this prefix; the post step removes nothing without it. */
export const PREFIX = 'ghcr-publish-';

/** A name the action gives: the prefix, then letters, digits, `-` and `_` only (no `/`, no `..`). */
const OWN_NAME = /^ghcr-publish-[A-Za-z0-9_-]+$/;

/** Where this run's directories go: RUNNER_TEMP, which the runner empties after the job. */
export function runTemp(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNNER_TEMP || os.tmpdir();
}

/** A fresh directory `ghcr-publish-<kind>-XXXXXX` directly under `temp`, mode 0700. */
export function createRunDir(temp: string, kind: string): string {
  const dir = mkdtempSync(path.join(temp, `${PREFIX}${kind}-`));
  chmodSync(dir, 0o700);
  return dir;
}

/** The directory a build writes its OCI layout to, for the action to push: `ghcr-publish-build-XXXXXX`. */
export function createBuildOutputDir(temp: string): string {
  return createRunDir(temp, 'build');
}

/** Whether a builder name is one the action gives (`ghcr-publish-…`). */
export function isOwnBuilderName(name: string): boolean {
  return OWN_NAME.test(name);
}

export type Recognised =
  /** One of this run's directories, by its real path. */
  | { kind: 'own'; path: string }
  /** Nothing there (already removed): nothing to do. */
  | { kind: 'gone' }
  /** Anything else: to be left alone, and why. */
  | { kind: 'foreign'; why: string };

/**
 * Whether a saved path is a directory this action created: an absolute path with no `..`, not a
 * symbolic link, whose real path is a direct child of `temp`'s real path, named with the prefix,
 * and owned by this user. Anything else is foreign, whatever the saved state says.
 */
export function recognise(saved: string, temp: string): Recognised {
  if (!path.isAbsolute(saved)) return { kind: 'foreign', why: 'it is not an absolute path' };
  if (saved.split(/[\\/]/).includes('..')) return { kind: 'foreign', why: "it contains '..'" };
  let stats: Stats;
  try {
    stats = lstatSync(saved);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    return { kind: 'foreign', why: `it cannot be read (${(e as Error).message})` };
  }
  if (stats.isSymbolicLink()) return { kind: 'foreign', why: 'it is a symbolic link' };
  if (!stats.isDirectory()) return { kind: 'foreign', why: 'it is not a directory' };
  let real: string;
  let realTemp: string;
  try {
    real = realpathSync(saved);
    realTemp = realpathSync(temp);
  } catch (e) {
    return { kind: 'foreign', why: `its place cannot be resolved (${(e as Error).message})` };
  }
  if (path.dirname(real) !== realTemp) return { kind: 'foreign', why: `it is not directly inside RUNNER_TEMP (${temp})` };
  if (!OWN_NAME.test(path.basename(real))) return { kind: 'foreign', why: `its name does not start with ${PREFIX}` };
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return { kind: 'foreign', why: 'it belongs to another user' };
  return { kind: 'own', path: real };
}

/** Whether `inner` is strictly inside `outer` (both real paths). */
export function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
