import { statfsSync } from 'node:fs';
import path from 'node:path';

/**
 * What to do when a build ran out of disk ("no space left on device"), the way an image of
 * several GB fails on a runner: where the build was writing, how much room is left there, and the
 * ways out. Undefined for any other failure.
 */
export function diskFullFix(output: string, layoutDir?: string): string | undefined {
  if (!/no space left on device/i.test(output)) return undefined;
  const layout = layoutDir
    ? ` The build writes the compressed image to ${layoutDir} (under RUNNER_TEMP${freeSpace(layoutDir)}), beside the engine's own copy of its layers: the disk needs room for both.`
    : '';
  return (
    `The runner's disk is full.${layout} Free space before this step (on GitHub-hosted runners, remove what the job does not use, ` +
    'such as /usr/share/dotnet, /usr/local/lib/android and /opt/ghc), use a runner with a larger disk, or set reproducible: false: ' +
    'with the docker driver, one platform and no provenance, the engine then pushes from its own store, with no copy in RUNNER_TEMP.'
  );
}

/** `; 1.2 GB free now`, for the filesystem that holds `dir` (or the nearest folder above it that exists). */
function freeSpace(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      const { bavail, bsize } = statfsSync(at);
      const bytes = bavail * bsize;
      return `; ${bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`} free now`;
    } catch {
      if (path.dirname(at) === at) return '';
    }
  }
}
