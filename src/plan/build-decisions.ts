import type { Builder } from '../docker/index.js';
import { ActionError } from '../runner/index.js';
import type { Plan } from './plan.js';

/** What a build will be, decided from the plan and the builder at hand. */
export interface BuildDecision {
  /** Start a docker-container builder of this run's own. */
  ownBuilder: boolean;
  /** Restore and save the Actions build cache. */
  cache: boolean;
  /** `oci`: a layout the action pushes; `load`: the engine's store (pushed by the engine when `enginePush`); `none`: cache only. */
  output: 'oci' | 'load' | 'none';
  enginePush: boolean;
  /** File timestamps in new layers set to SOURCE_DATE_EPOCH. */
  rewriteTimestamps: boolean;
  notices: string[];
  /** Said as warnings: something the user asked for is not done. */
  warnings: string[];
}

export interface BuildSituation {
  plan: Plan;
  builder: Builder;
  cacheService: boolean;
  /** Why a builder of the run's own could not be started, once that was tried. */
  ownBuilderFailed?: string;
}

const CLASSIC = 'Only the classic builder is installed (no docker buildx plugin)';
const INSTALL_BUILDX = 'Install buildx (docker/setup-buildx-action does) or drop this input.';

/**
 * One pure decision: which builder, whether the cache is used, where the result goes. The docker
 * driver without the containerd image store can neither export an OCI layout with several
 * platforms nor its cache: a docker-container builder of the run's own does that instead.
 */
export function decideBuild({ plan, builder, cacheService, ownBuilderFailed }: BuildSituation): BuildDecision {
  const s = plan.settings;
  const multi = s.platforms.length > 1;
  // A read-only run without a PAT builds as if push were false.
  const pushing = plan.push !== 'none' && plan.credentials.skipped === undefined;
  const byDigest = pushing && plan.push === 'by-digest';
  const notices: string[] = [];
  const warnings: string[] = [];
  const unreproducible = (why: string) => {
    if (plan.epoch !== undefined) notices.push(`reproducible: ${why}, so a rebuild of the same commit may get another digest.`);
  };

  if (!builder.buildx) {
    if (multi) throw new ActionError(`${CLASSIC}, which builds one platform at a time.`, INSTALL_BUILDX, 'platforms');
    if (s.secrets.length > 0) throw new ActionError(`${CLASSIC}, which has no secret mounts.`, INSTALL_BUILDX, 'secrets');
    if (s.provenance) throw new ActionError(`${CLASSIC}, which makes no provenance attestations.`, INSTALL_BUILDX, 'provenance');
    if (byDigest) throw new ActionError(`${CLASSIC}, which cannot push an image without a tag.`, INSTALL_BUILDX, 'push');
    if (s.cache) notices.push(`cache: ${CLASSIC}, which cannot export its cache; building without the Actions cache.`);
    unreproducible('the classic builder neither takes SOURCE_DATE_EPOCH nor rewrites file timestamps');
    return { ownBuilder: false, cache: false, output: 'load', enginePush: pushing, rewriteTimestamps: false, notices, warnings };
  }

  const wantsCache = s.cache && cacheService;
  if (s.cache && !cacheService)
    notices.push('cache: this runner offers no Actions cache service; building without a cache from earlier runs.');
  const needsOwn = !builder.capable && (multi || wantsCache || byDigest);
  if (needsOwn && ownBuilderFailed === undefined) {
    return {
      ownBuilder: true,
      cache: wantsCache,
      output: pushing ? 'oci' : multi ? 'none' : 'load',
      enginePush: false,
      rewriteTimestamps: pushing,
      notices,
      warnings,
    };
  }
  if (needsOwn) {
    const why = `the current builder (driver "${builder.driver}" without the containerd image store) cannot`;
    const fix = 'Enable the containerd image store in the Docker engine, or set up a builder first (docker/setup-buildx-action).';
    if (multi)
      throw new ActionError(
        `${why} build ${s.platforms.length} platforms into one image, and a docker-container builder could not be started: ${ownBuilderFailed}`,
        `${fix} Or build one platform.`,
        'platforms',
      );
    if (byDigest)
      throw new ActionError(
        `${why} push an image without a tag, and a docker-container builder could not be started: ${ownBuilderFailed}`,
        fix,
        'push',
      );
    warnings.push(
      `cache: ${why} export its cache, and a docker-container builder could not be started (${ownBuilderFailed}); building without the Actions cache.`,
    );
  }
  if (builder.capable && pushing && enginePushes(plan, builder)) {
    return { ownBuilder: false, cache: wantsCache, output: 'load', enginePush: true, rewriteTimestamps: false, notices, warnings };
  }
  if (builder.capable) {
    const output = pushing ? 'oci' : multi && builder.driver !== 'docker' ? 'none' : 'load';
    return { ownBuilder: false, cache: wantsCache, output, enginePush: false, rewriteTimestamps: pushing, notices, warnings };
  }
  unreproducible(
    `the current builder (driver "${builder.driver}" without the containerd image store) cannot rewrite file timestamps in the layers it loads`,
  );
  return { ownBuilder: false, cache: false, output: 'load', enginePush: pushing, rewriteTimestamps: false, notices, warnings };
}

/**
 * The docker driver on the containerd image store pushes an image it holds as fast as its own
 * `--push`, with no layer passing through this process or an OCI layout on disk. It cannot rewrite
 * file timestamps while loading (BuildKit refuses `rewrite-timestamp` with the unpack the engine
 * needs), nor push without a tag (buildx refuses `push-by-digest` on the docker driver): so a build
 * that needs neither, of one image (one platform, no attestations), takes that way.
 */
function enginePushes(plan: Plan, builder: Builder): boolean {
  const s = plan.settings;
  return builder.driver === 'docker' && plan.epoch === undefined && plan.push === 'tags' && s.platforms.length <= 1 && !s.provenance;
}
