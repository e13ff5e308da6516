import { ActionError } from '../runner/index.js';
import type { RegistryType } from './registry-rules.js';

/** What one push to a registry may hold, as it documents it (registry-rules §6). */
export interface RegistryLimits {
  /** The largest layer it takes, in bytes. */
  layerBytes?: number;
  /** How long one blob upload may run before the registry ends it. */
  uploadMs?: number;
}

/** ghcr.io: 10 GB a layer and 10 minutes an upload; the legacy docker registry: 5 GB a layer. */
export function registryLimits(type: RegistryType): RegistryLimits {
  if (type === 'ghcr') return { layerBytes: 10e9, uploadMs: 600_000 };
  if (type === 'docker-pkg') return { layerBytes: 5e9 };
  return {};
}

/** 1.07 GB: sizes as registries write their limits. */
export const gigabytes = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;

/** What to do about a layer too large to push in one piece. */
const SPLIT_LAYER =
  'Split what that layer holds over several COPY or RUN steps (each makes a layer of its own), or leave large data out of the image and fetch it at run time.';

/** Layers over a registry's limit, refused before anything is pushed: the registry would refuse them after the upload. */
export function refuseOversized(host: string, limits: RegistryLimits, blobs: { digest: string; size: number }[]): void {
  const limit = limits.layerBytes;
  const over = limit ? blobs.filter((b) => b.size > limit) : [];
  if (!limit || over.length === 0) return;
  throw new ActionError(
    `${over.map((b) => `the layer ${b.digest} is ${gigabytes(b.size)}`).join('; ')}, and ${host} takes at most ${gigabytes(limit)} a layer. Nothing was pushed.`,
    SPLIT_LAYER,
  );
}

/**
 * An upload that failed after running into the registry's time limit (ghcr.io: 10 minutes), told as
 * such; undefined for any other failure. A new try would start from zero and be cut the same way.
 * `size`, when known, tells the runner's rate and the time the layer needs.
 */
export function cutByTimeLimit(
  host: string,
  limits: RegistryLimits,
  what: string,
  size: number | undefined,
  tookMs: number,
): ActionError | undefined {
  const limit = limits.uploadMs;
  if (!limit || tookMs < limit * 0.95) return undefined;
  const rate = (size ?? 0) / Math.max(tookMs / 1000, 1);
  const needs =
    size === undefined
      ? ''
      : `, and at this runner's ${(rate / 1e6).toFixed(1)} MB/s the layer needs about ${Math.ceil(size / rate / 60)} minutes`;
  return new ActionError(
    `the upload of ${what}${size === undefined ? '' : ` (${gigabytes(size)})`} was ended after ${Math.round(tookMs / 60_000)} minutes: ${host} ends an upload after ${Math.round(limit / 60_000)} minutes${needs}. Starting it again from zero would end the same way, so it was not retried.`,
    `${SPLIT_LAYER} Or push from a runner with a faster connection.`,
  );
}
