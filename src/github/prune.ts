import { type GitHubApiError, type PackageType, type PackageVersion, type PackagesApi, type VersionList, apiError } from './github-api.js';
import { safeText } from '../runner/index.js';
import { type ManifestFacts, type VersionFacts, decideKeep, manifestFacts } from './prune-keep.js';

export interface PruneRequest {
  owner: string;
  packageType: PackageType;
  /** The package's name on GitHub (the path below the owner). */
  packageName: string;
  /** The image's path in the registry, for reading manifests. */
  repoPath: string;
  /** Untagged versions at least this old may go; 0: any age. */
  olderThanMs: number;
  /** The image just published and its children. */
  keepDigests: string[];
  dryRun: boolean;
  now: Date;
}

export interface PruneDeps {
  api: PackagesApi;
  manifest: (repo: string, ref: string) => Promise<{ digest: string; mediaType: string; body: Buffer }>;
  info: (message: string) => void;
  /** Told the result's warning, once. */
  warning: (message: string) => void;
}

export interface PruneResult {
  /** Digests of the versions really deleted. */
  deleted: string[];
  /** Dry run: the digests that would be deleted. */
  wouldDelete: string[];
  /** Versions left in the package. */
  kept: number;
  /** Why pruning stopped or did not start (already told through `deps.warning`). */
  warning?: string;
}

/** What a prune needs of the token, for the warnings. */
export const PRUNE_PERMISSIONS =
  'Pruning needs, with GITHUB_TOKEN, `permissions: packages: write` in the job and the admin role on the package (the repository whose workflow first published it has it; otherwise add this repository with the Admin role under the package\'s "Manage Actions access"); with a classic PAT, the scopes delete:packages and read:packages.';

const READ_CONCURRENCY = 8;

/**
 * A run's share of the Packages API (docs.github.com, "Rate limits for the REST API"): GITHUB_TOKEN
 * has 1,000 requests an hour per repository, and secondary limits cost a DELETE 5 points of 900 a
 * minute. A prune reads at most 200 pages of versions (20,000: all of them are needed to tell what a
 * tagged image still needs) and deletes at most 100; the next publish goes on where it stopped.
 */
export const PRUNE_MAX_LIST_PAGES = 200;
export const PRUNE_MAX_DELETES = 100;

/**
 * Deletes the package's untagged versions older than the age that no kept image needs (see
 * decideKeep). Never throws for the API or the registry: a problem is a warning, nothing is
 * deleted when a manifest cannot be read, and `deleted` holds only what GitHub confirmed.
 */
export async function pruneUntagged(req: PruneRequest, deps: PruneDeps): Promise<PruneResult> {
  const warn = (warning: string, deleted: string[], kept: number): PruneResult => {
    deps.warning(warning);
    return { deleted, wouldDelete: [], kept, warning };
  };
  let listed: VersionList;
  try {
    listed = await deps.api.listVersions(req.owner, req.packageType, req.packageName, PRUNE_MAX_LIST_PAGES);
  } catch (e) {
    return warn(`Nothing was pruned: listing the versions of package ${req.packageName} failed: ${cause(e)}`, [], 0);
  }
  const versions = listed.versions.map(toFacts);
  if (!listed.complete) {
    return warn(
      `Nothing was pruned: package ${req.packageName} has more than ${versions.length} versions, more than a run reads (${PRUNE_MAX_LIST_PAGES} pages of the Packages API, to stay within its rate limits), and without all of them prune cannot tell which untagged versions a tagged image needs. Delete old versions once by hand or with a PAT, then prune keeps up.`,
      [],
      versions.length,
    );
  }
  let manifests: Map<string, ManifestFacts>;
  try {
    manifests = await readManifests(req, versions, deps.manifest);
  } catch (e) {
    return warn(
      `Nothing was pruned: ${(e as Error).message} Without it, prune cannot tell which untagged versions a kept image still needs.`,
      [],
      versions.length,
    );
  }
  const { kept, remove } = decideKeep({ versions, manifests, keepDigests: req.keepDigests, olderThanMs: req.olderThanMs, now: req.now });
  const tagged = versions.filter((v) => v.tags.length > 0).length;
  deps.info(
    `Package ${req.packageName}: ${versions.length} versions, ${tagged} tagged; ${remove.length} untagged ${remove.length === 1 ? 'version' : 'versions'} ${req.olderThanMs > 0 ? `older than ${formatAge(req.olderThanMs)} ` : ''}that no kept image needs${remove.length > PRUNE_MAX_DELETES ? ` (at most ${PRUNE_MAX_DELETES} are deleted a run)` : ''}.`,
  );
  if (req.dryRun) {
    for (const v of versions) {
      if (v.tags.length === 0 && kept.has(v.digest)) deps.info(`would keep ${v.digest}: ${kept.get(v.digest)}`);
    }
    for (const v of remove) deps.info(`would delete ${v.digest} (version ${v.id}, created ${v.created.toISOString()})`);
    return { deleted: [], wouldDelete: remove.map((v) => v.digest), kept: versions.length - remove.length };
  }
  const { deleted, refused, stopped } = await deleteVersions(req, deps, remove.slice(0, PRUNE_MAX_DELETES));
  const left = versions.length - deleted.length;
  const notes: string[] = [];
  if (stopped) {
    const before = deleted.length === 0 ? 'before deleting any' : `after deleting ${deleted.length} of ${remove.length}`;
    notes.push(`Pruning stopped ${before}: ${stopped}`);
  } else if (remove.length > PRUNE_MAX_DELETES) {
    notes.push(
      `Pruned ${deleted.length} of ${remove.length} untagged versions that no kept image needs: at most ${PRUNE_MAX_DELETES} a run, within GitHub's API rate limits; the next publish deletes more.`,
    );
  }
  if (refused.length > 0) notes.push(`GitHub refused to delete, and keeps: ${refused.join('; ')}.`);
  return notes.length > 0 ? warn(notes.join(' '), deleted, left) : { deleted, wouldDelete: [], kept: left };
}

/**
 * Deletes in order until one fails for a reason that would fail the rest too (a permission, a rate
 * limit, the network): `stopped` says which and why. A version GitHub will not delete (400: the
 * last tagged version, a public one downloaded over 5,000 times) is `refused`, and the rest go on.
 */
async function deleteVersions(req: PruneRequest, deps: PruneDeps, remove: VersionFacts[]) {
  const deleted: string[] = [];
  const refused: string[] = [];
  for (const v of remove) {
    try {
      await deps.api.deleteVersion(req.owner, req.packageType, req.packageName, v.id);
    } catch (e) {
      const err = apiError(e);
      if (err.status === 400) {
        refused.push(`${v.digest} (version ${v.id}): ${undeletable(err)}`);
        continue;
      }
      return { deleted, refused, stopped: `deleting ${v.digest} (version ${v.id}) failed: ${cause(err)}` };
    }
    deleted.push(v.digest);
    deps.info(`deleted ${v.digest} (version ${v.id}, created ${v.created.toISOString()})`);
  }
  return { deleted, refused, stopped: undefined };
}

function toFacts(v: PackageVersion): VersionFacts {
  const created = new Date(v.createdAt);
  // A version without a date GitHub gave counts as made in the far future: never old enough to delete.
  return { id: v.id, digest: v.name, tags: v.tags, created: Number.isNaN(created.getTime()) ? new Date(8.64e15) : created };
}

/**
 * Every manifest the versions and the image just published reach, read from the registry a few
 * at a time. Throws, naming the first one that could not be read and why.
 */
async function readManifests(
  req: PruneRequest,
  versions: VersionFacts[],
  read: PruneDeps['manifest'],
): Promise<Map<string, ManifestFacts>> {
  const facts = new Map<string, ManifestFacts>();
  const why = new Map<string, string>();
  for (const v of versions) why.set(v.digest, v.tags.length > 0 ? `tagged ${v.tags.map(safeText).join(', ')}` : 'untagged');
  for (const d of req.keepDigests) if (!why.has(d)) why.set(d, 'just published');
  const queue = [...why.keys()];
  const seen = new Set(queue);
  let failure: Error | undefined;
  const worker = async () => {
    while (queue.length > 0 && !failure) {
      const digest = queue.shift() as string;
      try {
        const m = manifestFacts((await read(req.repoPath, digest)).body);
        facts.set(digest, m);
        for (const child of m.children) {
          if (seen.has(child)) continue;
          seen.add(child);
          why.set(child, `listed by ${digest}`);
          queue.push(child);
        }
      } catch (e) {
        failure ??= new Error(
          `the manifest ${digest} (${why.get(digest)}) could not be read from the registry: ${safeText((e as Error).message)}.`,
        );
      }
    }
  };
  // Workers wait on one another's children: run until the queue is empty and none is reading.
  while (queue.length > 0 && !failure) await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  if (failure) throw failure;
  return facts;
}

/** The API's failure for people: GitHub's words, and the permission or the cause. */
function cause(e: unknown): string {
  const err = apiError(e);
  const words = safeText(err.message);
  if (err.rateLimited) {
    const ends = err.limitEnds ? ` until ${err.limitEnds.toISOString()}` : '';
    return `${words}: GitHub's API rate limit${ends}; prune stopped rather than wait, and the next publish goes on with what is left.`;
  }
  if (err.status === 401) return `${words}: the token is wrong, expired or revoked.`;
  // GitHub answers a DELETE by a token without the admin role on the package with 404 "Package
  // not found." (canonical/authd#1376, actions/delete-package-versions#237), not 403.
  if (err.status === 404) return `${words}. GitHub answers so when the token lacks the admin role on the package. ${PRUNE_PERMISSIONS}`;
  if (err.status === 403) return `${words}. ${PRUNE_PERMISSIONS}`;
  return `${words}.`;
}

/** Why GitHub will not delete one version (a 400), as it says. */
function undeletable(err: GitHubApiError): string {
  const words = safeText(err.githubMessage || err.message);
  // kairos-io/kairos#4723; actions/delete-package-versions#231 (the last version of any kind).
  if (/last (tagged )?version/i.test(words)) return `${words} (it was tagged since it was listed, or is the package's last version)`;
  // docs.github.com, "Deleting and restoring a package": public versions downloaded over 5,000 times stay.
  if (/download/i.test(words)) return `${words} (a public version downloaded more than 5,000 times cannot be deleted)`;
  return words;
}

function formatAge(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  const unit = units.find(([size]) => ms % size === 0);
  return unit ? `${ms / unit[0]}${unit[1]}` : `${ms} ms`;
}
