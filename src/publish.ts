import * as core from '@actions/core';
import path from 'node:path';
import { type CachePlan, type CacheService, cachePlan, rotate } from './build-cache.js';
import { type Credential, candidates, chooseCredential } from './credentials.js';
import type { Builder, BuildSpec, Docker } from './docker.js';
import { ActionError } from './errors.js';
import type { GitHubContext } from './github-context.js';
import type { Settings } from './inputs.js';
import { SOURCE, imageLabels, indexAnnotations } from './labels.js';
import type { PackageLink } from './package-link.js';
import type { Manifest } from './registry-client.js';
import type { SecretFiles } from './secrets.js';
import type { PublishResult } from './summary.js';

/** The world as publishing needs it; main.ts passes the real one, tests their own. */
export interface PublishDeps {
  docker: Docker;
  cache: CacheService;
  /** Proves a credential may push, or throws the registry's refusal. */
  pushCheck: (credential: Credential) => Promise<void>;
  /** Reads a manifest back from the registry, to report the digest it really holds. */
  manifest: (credential: Credential | undefined, path: string, reference: string) => Promise<Manifest>;
  /** Asks GitHub which repository the package is linked to. */
  packageLink: (credential: Credential) => Promise<PackageLink>;
  writeSecrets: (settings: Settings) => SecretFiles;
  /** What the post step must undo, told as soon as it exists. */
  state: { loggedIn(): void; builder(name: string): void; secretsDir(dir: string): void };
  /** A directory that is the same in every run (RUNNER_TEMP): the cache's path is part of its version. */
  cacheBaseDir: string;
  /** A directory private to this run. */
  runDir: string;
  runId: string;
  now: Date;
}

/** Chooses the credential, logs in, builds, tags, pushes, reads the digest back and checks the link. */
export async function publish(settings: Settings, ctx: GitHubContext, deps: PublishDeps): Promise<PublishResult> {
  const { docker } = deps;
  const multiPlatform = settings.platforms.length > 1;
  const wantsCache = settings.cache && deps.cache.available();
  const builder = await docker.builder(multiPlatform || wantsCache);
  checkBuilder(settings, builder);
  if (settings.cache && !wantsCache && builder.buildx) {
    core.notice('cache: this runner offers no Actions cache service; building without a cache from earlier runs.');
  }

  const { token, pat } = candidates(settings);
  let credential = token ?? pat;
  let skipReason: string | undefined;
  if (settings.push) {
    const choice = await core.group('Check that a credential may push', () => chooseCredential(settings, ctx, deps.pushCheck, core.warning));
    if (choice.skipped !== undefined) {
      skipReason = choice.skipped;
      core.notice(`${skipReason} The image is built only.`);
    } else {
      credential = choice.credential;
    }
  }
  const push = settings.push && skipReason === undefined && credential !== undefined;

  if (credential) {
    const { username, secret } = credential;
    await core.group(`Log in to ${settings.registry} as ${username}`, async () => {
      await docker.login(settings.registry, username, secret);
      core.info(`The login is in this run's private DOCKER_CONFIG (${deps.runDir}), which the post step deletes.`);
    });
    deps.state.loggedIn();
  }

  const { ownBuilder, useCache } = await setUpBuilder(settings, builder, wantsCache, deps);

  const secrets = settings.secrets.length > 0 ? deps.writeSecrets(settings) : undefined;
  if (secrets) deps.state.secretsDir(secrets.dir);

  const labels = imageLabels(settings, ctx, deps.now);
  const expectedSource = `${ctx.serverUrl}/${settings.repository}`;
  if (labels[SOURCE] !== expectedSource) {
    core.warning(`labels sets ${SOURCE}=${labels[SOURCE]}, so the package will not be linked to ${expectedSource}.`);
  }
  const cache = useCache ? await restoreCache(settings, deps) : undefined;
  const spec: BuildSpec = {
    context: settings.context,
    file: settings.file,
    references: settings.references,
    buildArgs: settings.buildArgs,
    labels,
    annotations: indexAnnotations(labels),
    target: settings.target,
    platforms: settings.platforms,
    secretFiles: secrets?.files ?? [],
    provenance: settings.provenance,
    builder: ownBuilder,
    cacheFrom: cache?.restored ? `type=local,src=${cache.plan.dir}` : undefined,
    cacheTo: cache ? `type=local,dest=${cache.plan.next},mode=max` : undefined,
    // A docker-container builder cannot load a multi-platform image into the engine's store.
    output: ownBuilder && push ? 'push' : ownBuilder && multiPlatform ? 'none' : 'load',
    metadataFile: ownBuilder ? path.join(deps.runDir, 'build-metadata.json') : undefined,
  };
  const builtDigest = await core.group(`Build ${settings.imageName}`, () => docker.build(spec, builder.buildx));
  if (cache) await saveCache(cache, deps.cache);

  const result: PublishResult = {
    imageName: settings.imageName,
    references: settings.references,
    digest: '',
    pushed: false,
    skipReason,
    tokenSource: '',
    labels,
    packageUrl: '',
  };
  if (!push || !credential) return result;

  const digest = await core.group(`Push ${settings.references.length} tag(s)`, () =>
    spec.output === 'push' ? verifyHeld(settings, credential, deps, new Set([builtDigest ?? ''])) : pushAll(settings, credential, deps),
  );
  Object.assign(result, { digest, pushed: true, tokenSource: credential.source, credential: `${credential.label} as ${credential.username}` });
  if (settings.registryType !== 'generic') {
    const link = await core.group('Check the link to the repository', () => deps.packageLink(credential));
    if (link.notice) core.notice(link.notice);
    if (link.warning) core.warning(link.warning);
    Object.assign(result, { packageUrl: link.packageUrl, link: link.lines });
  }
  return result;
}

/**
 * A builder of this run's own, where the current one cannot build several platforms into one image
 * or export its cache (the docker driver without the containerd image store). Failing to start one
 * fails a multi-platform build; a build that only wanted the cache goes on without it.
 */
async function setUpBuilder(
  settings: Settings,
  builder: Builder,
  wantsCache: boolean,
  deps: PublishDeps,
): Promise<{ ownBuilder?: string; useCache: boolean }> {
  const multiPlatform = settings.platforms.length > 1;
  if (!builder.buildx || builder.capable || !(multiPlatform || wantsCache)) return { useCache: wantsCache && builder.buildx };
  const name = `ghcr-publish-${deps.runId || 'local'}-${process.pid}`;
  return core.group(`Set up a builder for ${multiPlatform ? settings.platforms.join(', ') : 'the build cache'}`, async () => {
    deps.state.builder(name);
    try {
      await deps.docker.createBuilder(name);
      return { ownBuilder: name, useCache: wantsCache };
    } catch (e) {
      const why = `the current builder (driver "${builder.driver}" without the containerd image store) cannot ${
        multiPlatform ? `build ${settings.platforms.length} platforms into one image` : 'export its cache'
      }, and a docker-container builder could not be started: ${(e as Error).message}`;
      if (multiPlatform) {
        throw new ActionError(why, 'Enable the containerd image store in the Docker engine, set up a builder first (docker/setup-buildx-action), or build one platform.', 'platforms');
      }
      core.warning(`cache: ${why}. Building without the Actions cache.`);
      return { useCache: false };
    }
  });
}

/** What only BuildKit can do is an error with the classic builder, never silently dropped. */
function checkBuilder(settings: Settings, builder: Builder): void {
  if (builder.buildx) return;
  const missing = 'Only the classic builder is installed (no docker buildx plugin)';
  const fix = 'Install buildx (docker/setup-buildx-action does) or drop this input.';
  if (settings.platforms.length > 1) throw new ActionError(`${missing}, which builds one platform at a time.`, fix, 'platforms');
  if (settings.secrets.length > 0) throw new ActionError(`${missing}, which has no secret mounts.`, fix, 'secrets');
  if (settings.provenance) throw new ActionError(`${missing}, which makes no provenance attestations.`, fix, 'provenance');
  if (settings.cache) core.notice(`cache: ${missing}, which cannot export its cache; building without the Actions cache.`);
}

interface Cache {
  plan: CachePlan;
  restored?: string;
}

/** Restores the nearest build cache; a cache failure never fails the publish. */
async function restoreCache(settings: Settings, deps: PublishDeps): Promise<Cache> {
  return core.group('Restore the build cache', async () => {
    const plan = await cachePlan(settings, deps.cacheBaseDir);
    try {
      const restored = await deps.cache.restore(plan);
      core.info(restored ? `Restored ${restored}.` : `No cache for ${plan.key} nor any earlier one of this image.`);
      return { plan, restored };
    } catch (e) {
      core.warning(`The build cache could not be restored (${(e as Error).message}); building without it.`);
      return { plan };
    }
  });
}

/** Saves the build's cache once per key: an exact hit is not saved again. */
async function saveCache(cache: Cache, service: CacheService): Promise<void> {
  rotate(cache.plan);
  if (cache.restored === cache.plan.key) return;
  await core.group('Save the build cache', async () => {
    try {
      await service.save(cache.plan);
    } catch (e) {
      core.warning(`The build cache could not be saved (${(e as Error).message}); the image is not affected.`);
    }
  });
}

/** Pushes every reference; fails, naming what did and did not land, unless all hold one digest. */
async function pushAll(settings: Settings, credential: Credential, deps: PublishDeps): Promise<string> {
  const pushed: string[] = [];
  const reported = new Set<string>();
  for (const ref of settings.references) {
    try {
      reported.add(await deps.docker.push(ref));
      pushed.push(ref);
    } catch (e) {
      const rest = settings.references.filter((r) => !pushed.includes(r));
      throw new ActionError(
        `${(e as Error).message}\nPushed before the failure: ${pushed.join(', ') || 'none'}; not pushed: ${rest.join(', ')}.`,
        'Nothing is reported as published; fix the cause and re-run the job.',
      );
    }
  }
  return verifyHeld(settings, credential, deps, reported);
}

/** The digest the registry holds under every tag, which must be the one the push reported. */
async function verifyHeld(settings: Settings, credential: Credential, deps: PublishDeps, reported: Set<string>): Promise<string> {
  const manifests = await Promise.all(settings.tags.map((tag) => deps.manifest(credential, settings.path, tag)));
  const held = new Map(settings.tags.map((tag, i) => [tag, manifests[i].digest]));
  const digests = new Set([...held.values(), ...reported]);
  if (digests.size !== 1) {
    throw new ActionError(
      `the registry does not hold one image under the tags just pushed: ${[...held].map(([t, d]) => `${t} → ${d}`).join(', ')} (the push reported ${[...reported].join(', ') || 'nothing'}).`,
      'Another job may be pushing the same tags at the same time; re-run this job alone.',
    );
  }
  const [digest] = digests;
  core.info(`The registry holds ${digest} under ${settings.tags.join(', ')}.`);
  return digest;
}
