import { core, info, ActionError } from '../runner/index.js';
import type { Plan } from '../plan/index.js';
import { type TransferReport, transferImage } from '../registry/index.js';
import type { Destination } from './destination.js';
import { type Held, holdsAll, refuseMoves } from './immutable.js';
import type { ImageSource } from './image-source.js';
import { guardTag, setTags, verifyHeld } from './registry-tags.js';

/** What publishing did on one destination. */
export interface Delivery {
  dest: Destination;
  digest: string;
  /** Every full version already held the digest there: only moving tags were set. */
  alreadyHeld: boolean;
}

/**
 * The one publishing sequence, for every mode and every destination: refuses to move a full
 * version on any destination before anything is written, then takes the image to each in turn —
 * the blobs it lacks, child manifests, the top manifest, every tag, and a read-back of every tag —
 * then runs `after` for it. A destination that fails does not stop the others; the error names
 * which registries hold the digest under which tags and which do not.
 */
export async function publish(
  plan: Plan,
  image: ImageSource,
  held: Held[],
  when: string,
  after?: (plan: Plan, delivery: Delivery) => Promise<void>,
): Promise<Delivery[]> {
  refuseMoves(held, image.top.digest, when);
  const delivered: Delivery[] = [];
  const failed: [Destination, Error][] = [];
  for (const h of held) {
    try {
      const delivery = await publishTo(plan, image, h);
      await after?.(plan, delivery);
      delivered.push(delivery);
    } catch (e) {
      failed.push([h.dest, e as Error]);
    }
  }
  if (failed.length === 0) return delivered;
  if (held.length === 1) throw failed[0][1];
  throw partialFailure(plan, image.top.digest, delivered, failed);
}

/** Who holds what after some destinations failed; a re-run of the same commit completes the rest. */
function partialFailure(plan: Plan, digest: string, delivered: Delivery[], failed: [Destination, Error][]): ActionError {
  const tags = plan.tags.join(', ') || 'its digest';
  const holding = delivered.map((d) => `${d.dest.imageName} holds ${digest} under ${tags}`);
  const lacking = failed.map(([dest, e]) => `${dest.imageName}: ${e instanceof ActionError ? e.problem : e.message}`);
  return new ActionError(
    `${digest} was published to ${delivered.length} of ${delivered.length + failed.length} registries. ${
      holding.length > 0 ? `${holding.join('; ')}. ` : ''
    }Not published (or not under every tag):\n${lacking.map((l) => `- ${l}`).join('\n')}`,
    'Re-run the job once the cause is fixed: a re-run of the same commit completes the registries that lack the image and leaves the others as they are.',
  );
}

async function publishTo(plan: Plan, image: ImageSource, held: Held): Promise<Delivery> {
  const { dest } = held;
  const { top } = image;
  if (holdsAll(plan, held, top.digest)) {
    await core.group(`Already published to ${dest.imageName}`, async () => {
      info(`Already published: ${plan.immutable.join(', ')} already hold ${top.digest}, the image of this run. Nothing is uploaded.`);
      await setTags(
        plan,
        dest,
        top,
        plan.tags.filter((t) => !plan.immutable.includes(t)),
      );
      await verifyHeld(dest, top.digest, plan.tags);
    });
    return { dest, digest: top.digest, alreadyHeld: true };
  }
  await core.group(`Publish ${image.what} to ${dest.imageName}`, async () => {
    const at = image.origin.at;
    // Where the image already is, only tags are set: they store the top manifest.
    if (at?.host !== dest.registry || at.repo !== dest.path) await storeImage(plan, image, dest);
    await setTags(plan, dest, top, plan.tags);
    await verifyHeld(dest, top.digest, plan.tags);
  });
  return { dest, digest: top.digest, alreadyHeld: false };
}

/** Blobs and child manifests, then the top: by digest, or under the first tag on the legacy docker-pkg registry (tags only). */
async function storeImage(plan: Plan, image: ImageSource, dest: Destination): Promise<void> {
  const { top } = image;
  try {
    const report = await transferImage(image.origin, top, dest.client, dest.path);
    info(`${dest.imageName}: ${describe(report)}.`);
    const refused = report['refused-mount-streamed'];
    if (refused > 0) {
      core.notice(
        `${dest.registry} refused to mount ${refused} blob(s) from ${image.origin.name} into ${dest.path} (it answered with an upload session, as the distribution spec allows): they were streamed from ${image.origin.name} instead. The digest is unchanged.`,
      );
    }
    const topTag = dest.registryType === 'docker-pkg' ? plan.tags[0] : undefined;
    if (topTag) await guardTag(plan, dest, topTag, top.digest);
    await dest.client.putManifest(dest.path, topTag ?? top.digest, top);
  } catch (e) {
    throw pushFailure(plan, `Pushing ${image.what} to ${dest.imageName}`, e);
  }
}

function describe(report: TransferReport): string {
  const said = [
    [report.uploaded, 'uploaded'],
    [report.streamed, `streamed from the source`],
    [report.mounted, 'mounted from another repository'],
    [report['refused-mount-streamed'], 'streamed where the registry refused a mount'],
    [report.present, 'already there'],
  ] as const;
  return (
    said
      .filter(([n]) => n > 0)
      .map(([n, how]) => `${n} blob(s) ${how}`)
      .join(', ') || 'nothing to copy'
  );
}

/** A failure of the push itself, told with what it means for the tags; an ActionError is passed on as it is. */
export function pushFailure(plan: Plan, what: string, e: unknown): ActionError {
  if (e instanceof ActionError) return e;
  return new ActionError(
    `${what} failed: ${(e as Error).message}. No tag was set: ${plan.tags.join(', ') || '(none)'}.`,
    'Nothing is reported as published; re-run the job once the registry answers again (pushing the same content again is safe).',
  );
}
