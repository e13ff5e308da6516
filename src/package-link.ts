import type { Credential } from './credentials.js';
import type { GitHubContext } from './github-context.js';
import { type RetryPolicy, defaultRetry, fetchWithRetry } from './http-retry.js';
import type { Settings } from './inputs.js';

export interface PackageLink {
  packageUrl: string;
  /** Facts for the summary. */
  lines: string[];
  /** The package is not linked to this repository: how to connect it. */
  warning?: string;
  /** The API could not be asked; nothing is wrong with the publish. */
  notice?: string;
}

interface PackageResponse {
  html_url?: string;
  visibility?: string;
  repository?: { full_name?: string } | null;
}

/** The package's name on GitHub: the path below the owner (below the repository for docker-pkg). */
export function packageName(settings: Settings): string {
  const parts = settings.path.split('/');
  return parts.slice(settings.registryType === 'docker-pkg' ? 2 : 1).join('/');
}

/** The package page's documented address, for when the API cannot be asked. */
export function documentedPackageUrl(settings: Settings, ctx: GitHubContext): string {
  const kind = settings.owner === ctx.repositoryOwner.toLowerCase() && ctx.ownerType === 'Organization' ? 'orgs' : 'users';
  const type = settings.registryType === 'docker-pkg' ? 'docker' : 'container';
  return `${ctx.serverUrl}/${kind}/${settings.owner}/packages/${type}/package/${encodeURIComponent(packageName(settings))}`;
}

/**
 * Asks the GitHub REST API which repository the package is linked to and how visible it is.
 * A first push may take a moment to show its link, so an unlinked package is asked about once more.
 */
export async function checkPackageLink(
  settings: Settings,
  ctx: GitHubContext,
  credential: Credential,
  options: { retry?: RetryPolicy; relinkDelayMs?: number } = {},
): Promise<PackageLink> {
  const retry = options.retry ?? defaultRetry;
  const fallback = documentedPackageUrl(settings, ctx);
  let pkg: PackageResponse | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await retry.sleep(options.relinkDelayMs ?? 3000);
    const answer = await askApi(settings, ctx, credential, retry).catch((e: Error) => e);
    if (answer instanceof Error) {
      return { packageUrl: fallback, lines: [], notice: `The package's link to its repository was not checked: ${answer.message}` };
    }
    pkg = answer;
    if (pkg.repository) break;
  }
  const packageUrl = pkg?.html_url || fallback;
  const linked = pkg?.repository?.full_name ?? '';
  const lines = [`linked repository: ${linked || 'none'}`, `visibility: ${pkg?.visibility ?? 'unknown'}`];
  if (linked.toLowerCase() === ctx.repository.toLowerCase()) return { packageUrl, lines };
  return {
    packageUrl,
    lines,
    warning: `The package ${packageName(settings)} is ${linked ? `linked to ${linked}` : 'not linked to any repository'}, not to ${ctx.repository}, so it does not inherit the repository's access and its page does not show it. To connect it: open ${packageUrl}, choose "Package settings", then ${
      linked ? `under "Manage Actions access" add ${ctx.repository} with the Write role` : `"Connect repository" (or on the package page "Connect Repository") and pick ${ctx.repository}`
    }.`,
  };
}

async function askApi(settings: Settings, ctx: GitHubContext, credential: Credential, retry: RetryPolicy): Promise<PackageResponse> {
  const type = settings.registryType === 'docker-pkg' ? 'docker' : 'container';
  const name = encodeURIComponent(packageName(settings));
  const headers = {
    Accept: 'application/vnd.github+json',
    Authorization: `Bearer ${credential.secret}`,
    'X-GitHub-Api-Version': '2022-11-28',
    'User-Agent': 'ghcr-publish',
  };
  let res: Response | undefined;
  for (const kind of ['orgs', 'users']) {
    res = await fetchWithRetry(`${ctx.apiUrl}/${kind}/${settings.owner}/packages/${type}/${name}`, { headers }, retry);
    if (res.status !== 404) break;
    await res.body?.cancel();
  }
  if (!res || res.status !== 200) {
    const body = (await res?.json().catch(() => ({}))) as { message?: string };
    throw new Error(`the GitHub API answered HTTP ${res?.status}${body.message ? ` (${body.message})` : ''} for ${credential.label}.`);
  }
  return (await res.json()) as PackageResponse;
}
