import { core, info, ActionError } from '../runner/index.js';
import type { CacheUse, Builder, BuildSpec } from '../docker/index.js';
import { type BuildDecision, decideBuild, type Plan, referenceOf } from '../plan/index.js';
import { BY_DIGEST_ANNOTATION } from '../github/index.js';
import { gigabytes } from '../registry/index.js';
import { access, logIn, otherDestinations } from './access.js';
import { type Destination, mainDestination } from './destination.js';
import { finish } from './finish.js';
import { type Held, heldEverywhere, refuseOtherCommit } from './immutable.js';
import { type ImageSource, builtLayout, inRepository } from './image-source.js';
import { publish } from './publisher.js';
import { type PublishResult, delivered, emptyResult } from './result.js';
import type { RunDeps } from './run-deps.js';

/** Builds the image, then has the publisher take it to the registry. */
export async function executeBuild(plan: Plan, deps: RunDeps): Promise<PublishResult> {
  const s = plan.settings;
  // The hand-over to the merge job must be writable before minutes of build and push.
  if (plan.push === 'by-digest' && plan.credentials.skipped === undefined) await deps.handoff.checkWrite(s.platforms[0]);
  // The push check, and the builder with its cache, do not wait for each other; the login waits for
  // both, so that a build the builder cannot do fails before anything is written.
  const skipped = plan.credentials.skipped !== undefined;
  const [who, others, prepared] = await Promise.all([
    access(plan, deps, false),
    skipped ? [] : otherDestinations(plan, deps),
    prepareBuilder(plan, deps),
  ]);
  await logIn(plan, deps, who.credential);
  const { decision, ownBuilder, cache } = prepared;
  const credential = plan.push !== 'none' && who.skipReason === undefined ? who.credential : undefined;
  const destinations = credential ? [mainDestination(plan, deps.registry(credential), credential), ...others] : [];
  const held = await heldEverywhere(plan, destinations);
  await refuseOtherCommits(plan, held, decision);

  const secrets = s.secrets.length > 0 ? deps.writeSecrets(s.secrets) : undefined;
  if (secrets) deps.state.secretsDir(secrets.dir);
  const layout = credential && decision.output === 'oci' ? deps.makeBuildDir() : undefined;
  if (layout) deps.state.buildDir(layout);
  const spec: BuildSpec = {
    context: s.context,
    file: s.file,
    references: decision.output === 'load' ? (decision.enginePush ? [engineReference(plan)] : plan.references) : [],
    buildArgs: plan.buildArgs,
    labels: plan.labels,
    annotations: annotations(plan),
    target: s.target,
    platforms: s.platforms,
    secretFiles: secrets?.files ?? [],
    provenance: s.provenance,
    builder: ownBuilder,
    epoch: plan.epoch,
    cacheFrom: cache?.from ? `type=local,src=${cache.from}` : undefined,
    // An exact hit already holds all of this build: exporting it again (a copy of every layer) would be thrown away.
    cacheTo: cache && cache.hit !== 'exact' ? `type=local,dest=${cache.to},mode=max` : undefined,
    noCache: !s.cache,
    output: layout
      ? { kind: 'oci', dir: layout, rewriteTimestamps: decision.rewriteTimestamps && plan.epoch !== undefined }
      : { kind: decision.output === 'none' ? 'none' : 'load' },
  };
  let built = layout;
  try {
    await core.group(`Build ${plan.imageName}`, () => deps.docker.build(spec, prepared.builder.buildx));
    if (credential && decision.enginePush && (await overLimit(plan, deps, destinations[0], prepared.builder.capable))) {
      // Only the compressed sizes count, which the engine does not tell: a layout of the same build (from its cache) does.
      built = deps.makeBuildDir();
      deps.state.buildDir(built);
      await deps.docker.build({ ...spec, references: [], output: { kind: 'oci', dir: built, rewriteTimestamps: false } }, true);
    }

    const result: PublishResult = { ...emptyResult(plan), skipReason: who.skipReason };
    if (!credential) return result;
    if (plan.push === 'by-digest') {
      if (!layout)
        throw new ActionError('push: by-digest needs an OCI layout from the builder, and there is none.', 'Report this as a bug.');
      return await finish(plan, deps, credential, await pushForMerge(plan, deps, held, layout, result));
    }
    const image = built ? builtLayout(built) : await enginePushed(plan, deps, destinations[0]);
    const deliveries = await publish(
      plan,
      image,
      held,
      built ? 'after building the same commit again' : 'by this build',
      deps.afterPublish,
    );
    return await finish(plan, deps, credential, delivered(result, deliveries));
  } finally {
    // The layout is gone as soon as it is pushed, and before the cache is written (a copy of every
    // layer, then its archive): a large image is never on the runner's disk three times over. The
    // cache is saved whether the push worked or not (a failed build wrote none).
    for (const dir of new Set([layout, built])) if (dir) deps.removeBuildDir(dir);
    if (cache) await saveCache(deps, cache);
  }
}

/** The engine pushes one reference (retrying transient faults); the image is then in the registry, read for its manifest. */
async function enginePushed(plan: Plan, deps: RunDeps, main: Destination): Promise<ImageSource> {
  const reference = engineReference(plan);
  const reported = await core.group(`Push ${reference}`, () => deps.docker.push(reference));
  const top = await main.client.manifest(plan.path, reported).catch((e: Error) => {
    throw new ActionError(
      `docker push reported ${reported} for ${reference}, but reading it back from ${plan.registry} failed: ${e.message}.`,
      'Nothing is reported as published; re-run the job.',
    );
  });
  return inRepository(main.client, plan.path, top, 'the image');
}

/** What the engine pushes: a moving tag where there is one, so that the engine never writes a full version. */
function engineReference(plan: Plan): string {
  const moving = plan.tags.findIndex((t) => !plan.immutable.includes(t));
  return plan.references[Math.max(moving, 0)];
}

/**
 * Whether a layer the engine holds may be over the registry's limit: its size before compression
 * is. A builder that can export a layout then shows the compressed sizes; the classic one cannot.
 */
async function overLimit(plan: Plan, deps: RunDeps, main: Destination, canExport: boolean): Promise<boolean> {
  const limit = main.client.limits.layerBytes;
  if (!limit) return false;
  const largest = Math.max(0, ...(await deps.docker.layerSizes(engineReference(plan))));
  if (largest <= limit) return false;
  if (canExport) return true;
  core.warning(
    `A layer of this image holds ${gigabytes(largest)} before compression, and ${plan.registry} takes at most ${gigabytes(limit)} a layer: the classic builder cannot tell its compressed size before pushing, so the registry may refuse it. Split what it holds over several COPY or RUN steps.`,
  );
  return false;
}

/** A platform job: the image goes to the registry under its digest only, and its digest to the merge job. */
async function pushForMerge(plan: Plan, deps: RunDeps, held: Held[], layout: string, result: PublishResult): Promise<PublishResult> {
  const platform = plan.settings.platforms[0];
  const image = builtLayout(layout, `the ${platform} image for the merge job`);
  await publish(plan, image, held, 'by this build', deps.afterPublish);
  const { digest } = image.top;
  await deps.handoff.save(platform, digest).catch((e: Error) => {
    throw new ActionError(
      `the ${platform} image is pushed (${digest}), but handing it to the merge job failed: ${e.message}.`,
      'Re-run this job.',
    );
  });
  info(`The merge job of this workflow run will find ${referenceOf(plan.registry, plan.path, digest)} for ${platform}.`);
  return { ...result, references: [referenceOf(plan.registry, plan.path, digest)], digest, pushed: true };
}

/** Where a held full version was built from another commit, the conflict is certain before building. */
async function refuseOtherCommits(plan: Plan, held: Held[], decision: BuildDecision): Promise<void> {
  for (const h of held) {
    await refuseOtherCommit(plan, h);
    const [tag, manifest] = [...h.versions][0] ?? [];
    if (tag && manifest && decision.output !== 'oci') {
      const why = plan.epoch === undefined ? 'reproducible is false' : 'this builder cannot build reproducibly';
      throw new ActionError(
        `${referenceOf(h.dest.registry, h.dest.path, tag)} already holds ${manifest.digest} of this commit, and ${why}, so a rebuild cannot be shown to be the same image before it is pushed.`,
        'Publish the held image with promote, or build with reproducible: true on the containerd image store or a buildx builder.',
        'immutable-tags',
      );
    }
  }
}

function annotations(plan: Plan): string[] {
  const multi = plan.settings.platforms.length > 1;
  const index = multi ? Object.entries(plan.annotations).map(([k, v]) => `index:${k}=${v}`) : [];
  return plan.push === 'by-digest' ? [...index, `manifest:${BY_DIGEST_ANNOTATION}=true`] : index;
}

interface Prepared {
  builder: Builder;
  decision: BuildDecision;
  ownBuilder?: string;
  cache?: CacheUse;
}

/** The builder at hand, the decision, a builder of the run's own where needed, and the restored cache. */
async function prepareBuilder(plan: Plan, deps: RunDeps): Promise<Prepared> {
  const s = plan.settings;
  const cacheService = deps.cache.available();
  const builder = await deps.docker.builder(s.platforms.length > 1 || (s.cache && cacheService) || plan.push !== 'none');
  let decision = decideBuild({ plan, builder, cacheService });
  let ownBuilder: string | undefined;
  if (decision.ownBuilder) {
    const name = `ghcr-publish-${deps.ctx.runId || 'local'}-${process.pid}`;
    deps.state.builder(name);
    try {
      await core.group('Set up a builder of this run', () => deps.docker.createBuilder(name));
      ownBuilder = name;
    } catch (e) {
      decision = decideBuild({ plan, builder, cacheService, ownBuilderFailed: (e as Error).message });
    }
  }
  for (const notice of decision.notices) core.notice(notice);
  for (const warning of decision.warnings) core.warning(warning);
  const cache = decision.cache ? await restoreCache(plan, deps) : undefined;
  return { builder, decision, ownBuilder, cache };
}

async function restoreCache(plan: Plan, deps: RunDeps): Promise<CacheUse | undefined> {
  const s = plan.settings;
  try {
    const use = await deps.cache.restore({
      imageName: plan.imageName,
      path: plan.path,
      platforms: s.platforms,
      context: s.context,
      file: s.file,
      buildArgs: plan.buildArgs,
      target: s.target,
      baseDir: deps.tempDir,
    });
    info(
      use.restoredKey
        ? `Restored the build cache ${use.restoredKey} (${use.hit} match).`
        : `No build cache for ${use.key} nor any earlier one of this image.`,
    );
    return use;
  } catch (e) {
    core.warning(`The build cache could not be restored (${(e as Error).message}); building without it.`);
    return undefined;
  }
}

async function saveCache(deps: RunDeps, use: CacheUse): Promise<void> {
  try {
    await deps.cache.save(use);
  } catch (e) {
    core.warning(`The build cache could not be saved (${(e as Error).message}); the image is not affected.`);
  }
}
