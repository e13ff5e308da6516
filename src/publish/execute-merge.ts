import { core, info, ActionError } from '../runner/index.js';
import { createHash } from 'node:crypto';
import { configOf, isIndex, manifestJson, platformOf, type Descriptor, type Manifest, type RegistryClient } from '../registry/index.js';
import type { Plan } from '../plan/index.js';
import { access, otherDestinations } from './access.js';
import { mainDestination } from './destination.js';
import { finish } from './finish.js';
import { heldEverywhere } from './immutable.js';
import { inRepository } from './image-source.js';
import { publish } from './publisher.js';
import { type PublishResult, delivered, emptyResult } from './result.js';
import type { RunDeps } from './run-deps.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';

/** Gathers the images this run's platform jobs pushed and publishes one index of them under the run's tags. */
export async function executeMerge(plan: Plan, deps: RunDeps): Promise<PublishResult> {
  const who = await access(plan, deps, !plan.settings.logout);
  const result: PublishResult = { ...emptyResult(plan), skipReason: who.skipReason };
  if (!who.credential || who.skipReason !== undefined) return result;
  const client = deps.registry(who.credential);
  const digests = await findPlatformImages(plan, deps);
  const index = await core.group(`Check the images of ${(plan.merge ?? []).join(', ')}`, () => composeIndex(plan, client, digests));
  const others = await otherDestinations(plan, deps);
  const held = await heldEverywhere(plan, [mainDestination(plan, client, who.credential), ...others]);
  // The platform images are in this repository already; the index is stored by its tags.
  const image = inRepository(client, plan.path, index, `the index ${index.digest}`);
  const deliveries = await publish(plan, image, held, 'by this merge', deps.afterPublish);
  return finish(plan, deps, who.credential, delivered(result, deliveries));
}

/** The digest each platform job of this run handed over; a platform without one fails the step, named. */
export async function findPlatformImages(plan: Plan, deps: RunDeps): Promise<string[]> {
  const platforms = plan.merge ?? [];
  await deps.handoff.checkRead();
  const found = await Promise.all(platforms.map((p) => deps.handoff.find(p)));
  const missing = platforms.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    throw new ActionError(
      `no image of ${missing.join(', ')} was pushed for ${plan.imageName} by a platform job of this workflow run (run ${deps.ctx.runId || 'unknown'}), as far as the Actions cache tells (a warning above says so if the cache service failed).`,
      `Each platform needs a job of this run with platforms: <platform> and push: by-digest that succeeded before this one (needs:), publishing the same image.`,
      'merge',
    );
  }
  platforms.forEach((p, i) => info(`${p}: ${found[i] as string}`));
  return found as string[];
}

/** One OCI index of the platform images, each checked against its config, with the linking annotations. */
export async function composeIndex(plan: Plan, client: RegistryClient, digests: string[]): Promise<Manifest> {
  const platforms = plan.merge ?? [];
  const entries: Descriptor[] = [];
  for (const [i, digest] of digests.entries()) {
    const manifest = await client.manifest(plan.path, digest).catch((e: Error) => {
      throw new ActionError(
        `the ${platforms[i]} image a platform job of this run pushed (${digest}) cannot be read from ${plan.registry}: ${e.message}.`,
        `Re-run the ${platforms[i]} platform job, then this one.`,
        'merge',
      );
    });
    const json = manifestJson(manifest);
    const config = await configOf(client, plan.path, manifest);
    if (!samePlatform(platformOf(config), platforms[i])) {
      throw new ActionError(
        `the image handed over for ${platforms[i]} (${digest}) is a ${platformOf(config)} image, by its config.`,
        `Check the platform job's platforms input: it must build ${platforms[i]}.`,
        'merge',
      );
    }
    // A platform image with attestations arrives as an index: its entries join the merged one.
    entries.push(
      ...(isIndex(json)
        ? (json.manifests ?? [])
        : [
            { mediaType: manifest.mediaType || json.mediaType || '', digest, size: manifest.body.length, platform: platformObject(config) },
          ]),
    );
  }
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: entries, annotations: plan.annotations }));
  return { digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, mediaType: INDEX, body };
}

function platformObject(config: { os?: string; architecture?: string; variant?: string }): Descriptor['platform'] {
  return { architecture: config.architecture ?? '', os: config.os ?? '', ...(config.variant ? { variant: config.variant } : {}) };
}

/** `linux/arm64` is `linux/arm64/v8`; otherwise os, architecture and a given variant must match. */
export function samePlatform(actual: string, wanted: string): boolean {
  const norm = (p: string) => p.replace(/^linux\/arm64\/v8$/, 'linux/arm64');
  const [a, w] = [norm(actual), norm(wanted)];
  return a === w || (w.split('/').length === 2 && a.startsWith(`${w}/`));
}
