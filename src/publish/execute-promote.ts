import { core, info, ActionError } from '../runner/index.js';
import { copyImage, type Manifest, type RegistryClient } from '../registry/index.js';
import { type Plan, referenceOf } from '../plan/index.js';
import {
  type RunDeps,
  access,
  completeHeld,
  finish,
  heldVersions,
  pushFailure,
  refuseMoves,
  setTags,
  verifyHeld,
} from './publish-steps.js';
import { type PublishResult, emptyResult } from './result.js';

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
  const held = await heldVersions(plan, client);
  if (refuseMoves(plan, held, source.digest, 'by this promote')) {
    await core.group('Already published', () => completeHeld(plan, client, held));
    return finish(plan, deps, who.credential, { ...result, digest: source.digest, alreadyPublished: true });
  }
  const src = plan.promote as NonNullable<Plan['promote']>;
  await core.group(`Promote ${source.digest} to ${plan.tags.length} tag(s)`, async () => {
    const top = await copyImage(client, { repo: src.path, reference: source.digest }, plan.path).catch((e: unknown) => {
      throw pushFailure(plan, `Copying ${referenceOf(plan.registry, src.path, source.digest)} into ${plan.imageName}`, e);
    });
    if (src.path !== plan.path)
      info(
        `Copied the manifests of ${referenceOf(plan.registry, src.path, source.digest)} into ${plan.imageName}; the layers were mounted, not uploaded.`,
      );
    await setTags(plan, client, top, plan.tags);
    await verifyHeld(plan, client, source.digest, plan.tags);
  });
  return finish(plan, deps, who.credential, { ...result, digest: source.digest, pushed: true });
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
