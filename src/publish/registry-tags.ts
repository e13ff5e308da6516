import { info, ActionError } from '../runner/index.js';
import type { Plan } from '../plan/index.js';
import { inParallel, type Manifest } from '../registry/index.js';
import type { Destination } from './destination.js';

/**
 * Sets every tag on a manifest (one PUT each, a few at a time). A full version tag is read again
 * right before it is set, so a publish racing this one cannot be overwritten.
 */
export async function setTags(plan: Plan, dest: Destination, manifest: Manifest, tags: string[]): Promise<void> {
  const landed: string[] = [];
  const failed: string[] = [];
  // Every tag is tried, whatever another's fate: the failure names both lists.
  await inParallel(tags, 16, async (tag) => {
    try {
      await guardTag(plan, dest, tag, manifest.digest);
      await dest.client.putManifest(dest.path, tag, manifest);
      landed.push(tag);
    } catch (e) {
      failed.push(`${tag} (${(e as Error).message})`);
    }
  });
  if (failed.length > 0) {
    throw new ActionError(
      `Could not set every tag on ${manifest.digest} in ${dest.imageName}. Not set: ${failed.join('; ')}. Set: ${landed.join(', ') || 'none'}.`,
      'Nothing is reported as published; re-run the job once the cause is fixed (setting the same tags again is safe).',
    );
  }
}

/** A full version tag is read again right before it is set, so a publish racing this one cannot be overwritten. */
export async function guardTag(plan: Plan, dest: Destination, tag: string, digest: string): Promise<void> {
  if (!plan.immutable.includes(tag)) return;
  const now = await dest.client.findManifest(dest.path, tag);
  if (now && now.digest !== digest)
    throw new Error(`it was set to ${now.digest} meanwhile, by another publish; immutable-tags leaves it there`);
}

/** The digest the registry holds under every tag (or, without tags, under its digest), which must be `digest`. */
export async function verifyHeld(dest: Destination, digest: string, tags: string[]): Promise<void> {
  const refs = tags.length > 0 ? tags : [digest];
  const read: (string | Error)[] = [];
  // A few at a time: a burst of fresh connections costs the registry more than it saves.
  await inParallel([...refs.keys()], 8, async (i) => {
    read[i] = await dest.client.manifest(dest.path, refs[i]).then(
      (m) => m.digest,
      (e: Error) => e,
    );
  });
  const unreadable = refs.filter((_, i) => read[i] instanceof Error);
  if (unreadable.length > 0) {
    throw new ActionError(
      `The push finished, but reading ${unreadable.join(', ')} back from ${dest.registry} failed (${(read.find((r) => r instanceof Error) as Error).message}), so it is not known that the registry holds ${digest} there.`,
      'Nothing is reported as published; re-run the job.',
    );
  }
  const other = refs.filter((_, i) => read[i] !== digest);
  if (other.length > 0) {
    throw new ActionError(
      `${dest.registry} does not hold ${digest} under every tag just set: ${other.map((t) => `${t} → ${read[refs.indexOf(t)] as string}`).join(', ')}.`,
      'Another job may be publishing the same tags at the same time; re-run this job alone.',
    );
  }
  info(`${dest.imageName} holds ${digest} under ${tags.join(', ') || 'its digest'}.`);
}
