import { type CredentialOrder, candidates, credentialOrder } from './credentials.js';
import type { GitHubContext } from '../runner/index.js';
import { fillBuildArg, imageLabels, indexAnnotations, type OtherRegistry, runValues, type Settings } from '../settings/index.js';
import type { RegistryType } from '../registry/index.js';

/** Where the image a run publishes comes from. */
export type Mode = 'build' | 'promote' | 'merge';

/** What the registry ends up holding: release tags, one platform image for a merge job, or nothing. */
export type PushMode = 'tags' | 'by-digest' | 'none';

/** When the image says it was created, and where that time came from. */
export interface CreatedTime {
  date: Date;
  from: 'the event payload' | 'the checked-out commit' | 'the clock';
}

/** Everything a run will do, computed once and without side effects; executors carry it out and dry-run prints it. */
export interface Plan {
  mode: Mode;
  push: PushMode;
  dryRun: boolean;
  registry: string;
  registryType: RegistryType;
  imageName: string;
  path: string;
  tags: string[];
  references: string[];
  /** Full version tags that `immutable-tags` keeps from moving. */
  immutable: string[];
  /** The run's version (`version` output, `{{version}}`). */
  version: string;
  /** `KEY=VALUE` build arguments, their placeholders filled. */
  buildArgs: string[];
  labels: Record<string, string>;
  /** Annotations of an index the run makes (multi-platform build, merge). */
  annotations: Record<string, string>;
  created: CreatedTime;
  /** SOURCE_DATE_EPOCH for the build, when reproducible. */
  epoch?: number;
  credentials: CredentialOrder & { why: string };
  /** The image to promote: a path in this registry and a tag or digest. */
  promote?: { path: string; reference: string; howMade: string };
  /** The platforms whose images a merge gathers. */
  merge?: string[];
  /** Untagged versions older than this (ms) are pruned after a successful publish. */
  prune?: number;
  /** The other registries the image goes to (`also-push-to`), each under the same tags; none when nothing is tagged. */
  others: OtherRegistry[];
  /** The settings behind the plan, for the executors' details (build inputs). */
  settings: Settings;
}

export function makePlan(settings: Settings, ctx: GitHubContext, created: CreatedTime): Plan {
  const mode: Mode = settings.promote ? 'promote' : settings.merge.length > 0 ? 'merge' : 'build';
  const push: PushMode = !settings.push ? 'none' : settings.byDigest ? 'by-digest' : 'tags';
  const order = push === 'none' ? loginOnly(settings) : credentialOrder(settings, ctx);
  const labels = imageLabels(settings, ctx, created.date);
  const values = runValues(settings, ctx, created.date);
  return {
    mode,
    push,
    dryRun: settings.dryRun,
    registry: settings.registry,
    registryType: settings.registryType,
    imageName: settings.imageName,
    path: settings.path,
    tags: push === 'by-digest' ? [] : settings.tags,
    references: push === 'by-digest' ? [] : settings.references,
    immutable: settings.immutableTags && push === 'tags' ? settings.wholeVersionTags : [],
    version: settings.version,
    buildArgs: settings.buildArgs.map((arg) => fillBuildArg(arg, values)),
    labels,
    annotations: indexAnnotations(labels),
    created,
    epoch: settings.reproducible && mode === 'build' ? Math.floor(created.date.getTime() / 1000) : undefined,
    credentials: {
      ...order,
      why: push === 'none' ? 'push is false: the login serves the build only' : credentialReason(settings, order.ruledOut),
    },
    promote: settings.promote ? promoteSource(settings, ctx) : undefined,
    merge: mode === 'merge' ? settings.merge : undefined,
    prune: push === 'tags' ? settings.pruneUntagged : undefined,
    others: push === 'tags' ? settings.alsoPushTo : [],
    settings,
  };
}

/** Without a push, the build may still pull from the registry: log in with the first credential there is. */
function loginOnly(settings: Settings): CredentialOrder {
  const { token, pat } = candidates(settings);
  const first = token ?? pat;
  return { order: first ? [first] : [] };
}

function credentialReason(settings: Settings, ruledOut: string | undefined): string {
  if (ruledOut) return `${ruledOut}, so the PAT is used`;
  if (settings.registryType === 'generic') return 'a generic registry: token first, then the PAT if the push check refuses it';
  return "GitHub's rules allow GITHUB_TOKEN here: it is checked first, then the PAT if the registry refuses it";
}

function promoteSource(settings: Settings, ctx: GitHubContext): Plan['promote'] {
  const source = settings.promote;
  // A variant (tag-prefix, tag-suffix) promotes the same variant's sha- tag.
  const sha = `${settings.tagPrefix}sha-${ctx.sha.slice(0, 7).toLowerCase()}${settings.tagSuffix}`;
  const branchBuild = `the branch workflow's publish of this commit, whose derived tags include ${settings.tagPrefix}sha-<7 hex>${settings.tagSuffix}`;
  switch (source?.kind) {
    case 'commit':
      return { path: settings.path, reference: sha, howMade: branchBuild };
    case 'tag':
      return { path: settings.path, reference: source.tag, howMade: `a publish with tags: ${source.tag}` };
    case 'digest':
      return { path: settings.path, reference: source.digest, howMade: 'an earlier publish of this image (its digest output)' };
    case 'reference':
      return { path: source.path, reference: source.reference, howMade: `a publish of ${settings.registry}/${source.path}` };
    default:
      return undefined;
  }
}

/** Every reference the run publishes: the step's own image, then each other registry's, under the same tags. */
export function allReferences(plan: Plan): string[] {
  return [...plan.references, ...plan.others.flatMap((o) => plan.tags.map((t) => referenceOf(o.registry, o.path, t)))];
}

/** `host/path:tag` or `host/path@sha256:…`. */
export function referenceOf(registry: string, path: string, reference: string): string {
  return `${registry}/${path}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
}
