import type { Credential } from '../plan/index.js';
import { type PackageInfo, type PackageType, type PackagesApi, createPackagesApi } from './github-api.js';
import type { GitHubContext } from '../runner/index.js';
import { type RetryPolicy, defaultRetry } from '../registry/index.js';

export interface PackageLink {
  packageUrl: string;
  /** Facts for the summary. */
  lines: string[];
  /** The package is not linked to this repository: how to connect it. */
  warning?: string;
  /** The API could not be asked; nothing is wrong with the publish. */
  notice?: string;
}

/** What of the settings names the package (the Settings object has these). */
export interface PackageTarget {
  registryType: string;
  owner: string;
  /** The image's path in the registry, `owner/…`. */
  path: string;
  /** `owner/name` the source label names (the `repository` input), which the package should be linked to. */
  repository: string;
}

/** The package's name on GitHub: the path below the owner (below the repository for docker-pkg). */
export function packageName(settings: PackageTarget): string {
  const parts = settings.path.split('/');
  return parts.slice(settings.registryType === 'docker-pkg' ? 2 : 1).join('/');
}

/** The package page's documented address, for when the API cannot be asked. */
export function documentedPackageUrl(settings: PackageTarget, ctx: GitHubContext): string {
  const kind = settings.owner === ctx.repositoryOwner.toLowerCase() && ctx.ownerType === 'Organization' ? 'orgs' : 'users';
  return `${ctx.serverUrl}/${kind}/${settings.owner}/packages/${packageType(settings)}/package/${encodeURIComponent(packageName(settings))}`;
}

/**
 * Asks the GitHub REST API which repository the package is linked to and how visible it is.
 * A first push may take a moment to show its link, so an unlinked package is asked about once more.
 */
export async function checkPackageLink(
  settings: PackageTarget,
  ctx: GitHubContext,
  credential: Credential,
  options: { retry?: RetryPolicy; relinkDelayMs?: number; api?: PackagesApi } = {},
): Promise<PackageLink> {
  const retry = options.retry ?? defaultRetry;
  const api = options.api ?? createPackagesApi(ctx.apiUrl, credential.secret, retry);
  const fallback = documentedPackageUrl(settings, ctx);
  let pkg: PackageInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await retry.sleep(options.relinkDelayMs ?? 3000);
    const answer = await api.getPackage(settings.owner, packageType(settings), packageName(settings)).catch((e: Error) => e);
    if (answer instanceof Error) {
      return {
        packageUrl: fallback,
        lines: [],
        notice: `The package's link to its repository was not checked: ${answer.message} for ${credential.label}.`,
      };
    }
    pkg = answer;
    if (pkg.repository) break;
  }
  const packageUrl = pkg?.html_url || fallback;
  const linked = pkg?.repository?.full_name ?? '';
  const lines = [`linked repository: ${linked || 'none'}`, `visibility: ${pkg?.visibility ?? 'unknown'}`];
  const wanted = settings.repository;
  if (linked.toLowerCase() === wanted.toLowerCase()) return { packageUrl, lines };
  return {
    packageUrl,
    lines,
    warning: `The package ${packageName(settings)} is ${linked ? `linked to ${linked}` : 'not linked to any repository'}, not to ${wanted} (the repository its org.opencontainers.image.source label names), so it does not inherit the repository's access and its page does not show it. To connect it: open ${packageUrl}, choose "Package settings", then ${
      linked
        ? `under "Manage Actions access" add ${wanted} with the Write role`
        : `"Connect repository" (or on the package page "Connect Repository") and pick ${wanted}`
    }.`,
  };
}

/** The Packages API's name for the registry's kind of package. */
export function packageType(settings: PackageTarget): PackageType {
  return settings.registryType === 'docker-pkg' ? 'docker' : 'container';
}
