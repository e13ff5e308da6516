import { ActionError } from '../runner/index.js';
import { type Plan, referenceOf } from '../plan/index.js';
import { revisionOf, type Manifest } from '../registry/index.js';
import type { Destination } from './destination.js';

// `immutable-tags` on every destination: what each holds under the plan's full versions, and the refusals.

/** What one destination holds under the plan's full version tags now. */
export interface Held {
  dest: Destination;
  versions: Map<string, Manifest>;
}

export async function heldVersions(plan: Plan, dest: Destination): Promise<Held> {
  const held = await Promise.all(plan.immutable.map((tag) => dest.client.findManifest(dest.path, tag)));
  return { dest, versions: new Map(plan.immutable.flatMap((tag, i) => (held[i] ? [[tag, held[i]] as const] : []))) };
}

/** What every destination holds, asked of all at once. */
export function heldEverywhere(plan: Plan, destinations: Destination[]): Promise<Held[]> {
  return Promise.all(destinations.map((d) => heldVersions(plan, d)));
}

/** Fails when a full version tag holds another digest than `digest` on any destination, naming every one. */
export function refuseMoves(held: Held[], digest: string, when: string): void {
  const moved = held.flatMap(({ dest, versions }) =>
    [...versions]
      .filter(([, m]) => m.digest !== digest)
      .map(([tag, m]) => `${referenceOf(dest.registry, dest.path, tag)} already holds ${m.digest}`),
  );
  if (moved.length > 0) {
    throw new ActionError(
      `${moved.join('; ')}, and this run would publish ${digest} ${when}. immutable-tags keeps a published full version from moving.`,
      'Publish a new version (a new tag), or set immutable-tags: false if moving it is really meant.',
      'immutable-tags',
    );
  }
}

/** Every full version tag already holds `digest` there: nothing is uploaded, only moving tags are set. */
export function holdsAll(plan: Plan, held: Held, digest: string): boolean {
  return plan.immutable.length > 0 && plan.immutable.every((tag) => held.versions.get(tag)?.digest === digest);
}

/** A full version held by an image built from another commit: the conflict is certain before building. */
export async function refuseOtherCommit(plan: Plan, { dest, versions }: Held): Promise<void> {
  const sha = plan.labels['org.opencontainers.image.revision'] ?? '';
  for (const [tag, manifest] of versions) {
    const revision = await revisionOf(dest.client, dest.path, manifest);
    if (revision === sha) continue;
    throw new ActionError(
      `${referenceOf(dest.registry, dest.path, tag)} already holds ${manifest.digest}, built from ${revision ? `commit ${revision}` : 'an unknown commit'}, not from ${sha}. Nothing was built or pushed: immutable-tags keeps a published full version from moving.`,
      'Publish a new version (a new tag), or set immutable-tags: false if moving it is really meant.',
      'immutable-tags',
    );
  }
}
