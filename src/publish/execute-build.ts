import { core, info, ActionError } from '../runner/index.js';
import type { CacheUse, Builder, BuildSpec } from '../docker/index.js';
import { type BuildDecision, decideBuild, type Plan, referenceOf } from '../plan/index.js';
import { layoutResult, pushLayout, type Manifest, type RegistryClient } from '../registry/index.js';
import {
  type RunDeps,
  access,
  completeHeld,
  logIn,
  finish,
  guardTag,
  heldVersions,
  pushFailure,
  refuseMoves,
  refuseOtherCommit,
  setTags,
  verifyHeld,
} from './publish-steps.js';
import { type PublishResult, emptyResult } from './result.js';
import { BY_DIGEST_ANNOTATION } from '../github/index.js';

/** Builds the image, then pushes it once and sets every further tag on the registry. */
export async function executeBuild(plan: Plan, deps: RunDeps): Promise<PublishResult> {
  const s = plan.settings;
  if (plan.push === 'by-digest' && plan.credentials.skipped === undefined && !deps.handoff.available()) {
    throw new ActionError(
      'push: by-digest hands the platform image to the merge job through the Actions cache, and this runner offers no Actions cache service.',
      'Run the platform jobs on runners with the Actions cache (github.com has it; GitHub Enterprise Server needs it enabled).',
      'push',
    );
  }
  // The push check, and the builder with its cache, do not wait for each other; the login waits for
  // both, so that a build the builder cannot do fails before anything is written.
  const [who, prepared] = await Promise.all([access(plan, deps, false), prepareBuilder(plan, deps)]);
  await logIn(plan, deps, who.credential);
  const { decision, ownBuilder, cache } = prepared;
  const pushing = plan.push !== 'none' && who.skipReason === undefined && who.credential !== undefined;
  const client = pushing ? deps.registry(who.credential) : undefined;
  const held = client ? await heldVersions(plan, client) : new Map<string, Manifest>();
  if (client && held.size > 0) await refuseOtherCommits(plan, client, held, decision);

  const secrets = s.secrets.length > 0 ? deps.writeSecrets(s.secrets) : undefined;
  if (secrets) deps.state.secretsDir(secrets.dir);
  const layout = pushing && decision.output === 'oci' ? deps.makeBuildDir() : undefined;
  if (layout) deps.state.buildDir(layout);
  const spec: BuildSpec = {
    context: s.context,
    file: s.file,
    references: decision.output === 'load' ? plan.references.slice(0, decision.enginePush ? 1 : undefined) : [],
    buildArgs: s.buildArgs,
    labels: plan.labels,
    annotations: annotations(plan),
    target: s.target,
    platforms: s.platforms,
    secretFiles: secrets?.files ?? [],
    provenance: s.provenance,
    builder: ownBuilder,
    epoch: plan.epoch,
    cacheFrom: cache?.from ? `type=local,src=${cache.from}` : undefined,
    cacheTo: cache ? `type=local,dest=${cache.to},mode=max` : undefined,
    output: layout
      ? { kind: 'oci', dir: layout, rewriteTimestamps: decision.rewriteTimestamps && plan.epoch !== undefined }
      : { kind: decision.output === 'none' ? 'none' : 'load' },
  };
  await core.group(`Build ${plan.imageName}`, () => deps.docker.build(spec, prepared.builder.buildx));
  if (cache) await saveCache(deps, cache);

  const result: PublishResult = { ...emptyResult(plan), skipReason: who.skipReason };
  if (!client || !who.credential) return result;
  if (plan.push === 'by-digest') {
    if (!layout) throw new ActionError('push: by-digest needs an OCI layout from the builder, and there is none.', 'Report this as a bug.');
    return finish(plan, deps, who.credential, await pushForMerge(plan, deps, client, layout, result));
  }

  const built = layout ? layoutResult(layout) : undefined;
  if (built) {
    const { digest } = built;
    if (refuseMoves(plan, held, digest, 'after building the same commit again')) {
      await core.group('Already published', () => completeHeld(plan, client, held));
      return finish(plan, deps, who.credential, { ...result, digest, alreadyPublished: true });
    }
  }
  const digest = await core.group(`Push ${plan.references.length} tag(s)`, async () => {
    const top = layout && built ? await pushImage(plan, client, layout, built.digest) : await enginePush(plan, deps, client);
    await setTags(plan, client, top, plan.tags);
    await verifyHeld(plan, client, top.digest, plan.tags);
    return top.digest;
  });
  return finish(plan, deps, who.credential, { ...result, digest, pushed: true });
}

/** The layout's blobs and manifests; the legacy docker-pkg registry takes manifests under a tag only. */
async function pushImage(plan: Plan, client: RegistryClient, layout: string, digest: string): Promise<Manifest> {
  try {
    const topTag = plan.registryType === 'docker-pkg' ? plan.tags[0] : undefined;
    if (topTag) await guardTag(plan, client, topTag, digest);
    return await pushLayout(client, plan.path, layout, topTag);
  } catch (e) {
    throw pushFailure(plan, `Pushing the image to ${plan.registry}`, e);
  }
}

/** The engine pushes one reference (retrying transient faults); the registry is then read for the manifest to tag. */
async function enginePush(plan: Plan, deps: RunDeps, client: RegistryClient): Promise<Manifest> {
  const reported = await deps.docker.push(plan.references[0]);
  return client.manifest(plan.path, reported).catch((e: Error) => {
    throw new ActionError(
      `docker push reported ${reported} for ${plan.references[0]}, but reading it back from ${plan.registry} failed: ${e.message}.`,
      'Nothing is reported as published; re-run the job.',
    );
  });
}

/** A platform job: the image goes to the registry under its digest only, and its digest to the merge job. */
async function pushForMerge(
  plan: Plan,
  deps: RunDeps,
  client: RegistryClient,
  layout: string,
  result: PublishResult,
): Promise<PublishResult> {
  const platform = plan.settings.platforms[0];
  const top = await core.group(`Push the ${platform} image for the merge job`, async () => {
    const pushed = await pushLayout(client, plan.path, layout).catch((e: unknown) => {
      throw pushFailure(plan, `Pushing the ${platform} image to ${plan.registry}`, e);
    });
    await verifyHeld(plan, client, pushed.digest, [pushed.digest]);
    return pushed;
  });
  await deps.handoff.save(platform, top.digest).catch((e: Error) => {
    throw new ActionError(
      `the ${platform} image is pushed (${top.digest}), but handing it to the merge job failed: ${e.message}.`,
      'Re-run this job.',
    );
  });
  info(`The merge job of this workflow run will find ${referenceOf(plan.registry, plan.path, top.digest)} for ${platform}.`);
  return { ...result, references: [referenceOf(plan.registry, plan.path, top.digest)], digest: top.digest, pushed: true };
}

/** Where a held full version was built from another commit, the conflict is certain before building. */
async function refuseOtherCommits(plan: Plan, client: RegistryClient, held: Map<string, Manifest>, decision: BuildDecision): Promise<void> {
  for (const [tag, manifest] of held) {
    await refuseOtherCommit(plan, client, tag, manifest);
    if (decision.output !== 'oci') {
      throw new ActionError(
        `${referenceOf(plan.registry, plan.path, tag)} already holds ${manifest.digest} of this commit, and this builder cannot build reproducibly, so a rebuild cannot be shown to be the same image before it is pushed.`,
        'Use the containerd image store or a buildx builder, or publish the held image with promote.',
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
      buildArgs: s.buildArgs,
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
