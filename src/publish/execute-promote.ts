import { core, info, ActionError } from '../runner/index.js';
import type { Manifest, RegistryClient } from '../registry/index.js';
import { type Plan, referenceOf } from '../plan/index.js';
import { access, otherDestinations } from './access.js';
import { mainDestination } from './destination.js';
import { finish } from './finish.js';
import { heldEverywhere } from './immutable.js';
import { inRepository } from './image-source.js';
import { publish } from './publisher.js';
import { type PublishResult, delivered, emptyResult } from './result.js';
import type { RunDeps } from './run-deps.js';

/** Publishes this run's tags on an image the registry already holds: manifests only, the digest unchanged. */
export async function executePromote(plan: Plan, deps: RunDeps): Promise<PublishResult> {
  // No engine work: a login only where later steps of the job are to keep it.
  const who = await access(plan, deps, !plan.settings.logout);
  const result: PublishResult = { ...emptyResult(plan), skipReason: who.skipReason };
  if (!who.credential || who.skipReason !== undefined || plan.push === 'none') return result;
  const client = deps.registry(who.credential);
  const unused = (['description', 'licenses'] as const).filter((input) => plan.settings[input] !== '');
  if (unused.length > 0) {
    core.notice(`${unused.join(' and ')}: not applied by a promote, which publishes the image as it was built, with its own labels.`);
  }
  const source = await findSource(plan, client);
  const others = await otherDestinations(plan, deps);
  const held = await heldEverywhere(plan, [mainDestination(plan, client, who.credential), ...others]);
  const src = plan.promote as NonNullable<Plan['promote']>;
  const image = inRepository(client, src.path, source, referenceOf(plan.registry, src.path, source.digest));
  const deliveries = await publish(plan, image, held, 'by this promote', deps.afterPublish);
  return finish(plan, deps, who.credential, delivered(result, deliveries));
}

/** The image to promote; a missing one fails at once, saying how it is usually made. */
export async function findSource(plan: Plan, client: RegistryClient): Promise<Manifest> {
  const src = plan.promote as NonNullable<Plan['promote']>;
  const ref = referenceOf(plan.registry, src.path, src.reference);
  const found = await client.findManifest(src.path, src.reference).catch((e: Error) => {
    throw new ActionError(
      `reading ${ref} from the registry failed: ${e.message}`,
      'Re-run the job; check that the credential may read that package.',
      'promote',
    );
  });
  if (!found) {
    throw new ActionError(
      `the registry holds no image at ${ref}, so there is nothing to promote. It is usually made by ${src.howMade}.`,
      'Let that workflow publish it first (for promote: commit, the branch workflow of the same commit), or name an image that exists.',
      'promote',
    );
  }
  info(`Promoting ${ref} (${found.digest}).`);
  return found;
}
