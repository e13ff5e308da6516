import type { getOctokit } from '@actions/github';
import { type RetryPolicy, defaultRetry, isTransient, retryDelay } from '../registry/index.js';

/** `container` for the Container registry, `docker` for GitHub Enterprise Server's legacy one. */
export type PackageType = 'container' | 'docker';

/** What the link check reads of a package. */
export interface PackageInfo {
  html_url?: string;
  visibility?: string;
  repository?: { full_name?: string } | null;
}

/** One version of a package; `name` is its manifest digest. */
export interface PackageVersion {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  tags: string[];
}

/** A package's versions, newest first; `complete` is false when pages were left unread. */
export interface VersionList {
  versions: PackageVersion[];
  complete: boolean;
}

/** GitHub's Packages REST API as the action uses it. Owner: an organization or a user (asked in that order). */
export interface PackagesApi {
  getPackage(owner: string, packageType: PackageType, name: string): Promise<PackageInfo>;
  /** The versions, 100 a page, at most `maxPages` pages (default: every page). */
  listVersions(owner: string, packageType: PackageType, name: string, maxPages?: number): Promise<VersionList>;
  deleteVersion(owner: string, packageType: PackageType, name: string, id: number): Promise<void>;
}

/** An API call that failed: GitHub's status (0: not reached) and its own words. */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    readonly githubMessage: string,
    /** A primary or secondary rate limit, not a permission. */
    readonly rateLimited: boolean,
    /** When a rate limit ends: `x-ratelimit-reset`, or now plus `retry-after`. */
    readonly limitEnds?: Date,
  ) {
    super(
      status === 0
        ? `the GitHub API could not be reached (${githubMessage})`
        : `the GitHub API answered HTTP ${status}${githubMessage ? ` (${githubMessage})` : ''}`,
    );
    this.name = 'GitHubApiError';
  }
}

export type Octokit = ReturnType<typeof getOctokit>;
type OwnerKind = 'orgs' | 'users';

/**
 * The API through @actions/github's Octokit, loaded on the first call: a run that never calls
 * the API does not load it. Retries 5xx and network faults under `retry`; never 4xx, and never a
 * rate limit (403 or 429): its wait may be an hour, and the caller stops instead.
 */
export function createPackagesApi(apiUrl: string, token: string, retry: RetryPolicy = defaultRetry): PackagesApi {
  let client: Promise<Octokit> | undefined;
  const octokit = () => (client ??= loadOctokit(apiUrl, token, retry));
  const kinds = new Map<string, OwnerKind>();

  /** Runs `call` under /orgs, then /users when GitHub answers 404; remembers which owner kind answered. */
  async function underOwner<T>(owner: string, call: (kind: OwnerKind, o: Octokit) => Promise<T>): Promise<T> {
    const o = await octokit();
    const known = kinds.get(owner);
    try {
      if (known) return await call(known, o);
      try {
        const answer = await call('orgs', o);
        kinds.set(owner, 'orgs');
        return answer;
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
      }
      const answer = await call('users', o);
      kinds.set(owner, 'users');
      return answer;
    } catch (e) {
      throw apiError(e);
    }
  }

  const params = (owner: string, packageType: PackageType, name: string) => ({ owner, package_type: packageType, package_name: name });
  return {
    getPackage: (owner, packageType, name) =>
      underOwner(owner, async (kind, o) => {
        const res = await o.request(`GET /${kind}/{owner}/packages/{package_type}/{package_name}`, params(owner, packageType, name));
        return res.data as PackageInfo;
      }),
    listVersions: (owner, packageType, name, maxPages = Infinity) =>
      underOwner(owner, async (kind, o) => {
        const route = `GET /${kind}/{owner}/packages/{package_type}/{package_name}/versions`;
        const all: RawVersion[] = [];
        let pages = 0;
        for await (const page of o.paginate.iterator<RawVersion>(route, { ...params(owner, packageType, name), per_page: 100 })) {
          all.push(...page.data);
          if (++pages >= maxPages && /rel="next"/.test(page.headers.link ?? '')) return { versions: all.map(toVersion), complete: false };
        }
        return { versions: all.map(toVersion), complete: true };
      }),
    deleteVersion: (owner, packageType, name, id) =>
      underOwner(owner, async (kind, o) => {
        const route = `DELETE /${kind}/{owner}/packages/{package_type}/{package_name}/versions/{package_version_id}`;
        await o.request(route, { ...params(owner, packageType, name), package_version_id: id });
      }),
  };
}

interface RawVersion {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  metadata?: { container?: { tags?: string[] }; docker?: { tag?: string[]; tags?: string[] } };
}

function toVersion(v: RawVersion): PackageVersion {
  const tags = v.metadata?.container?.tags ?? v.metadata?.docker?.tag ?? v.metadata?.docker?.tags ?? [];
  return { id: v.id, name: v.name, createdAt: v.created_at, updatedAt: v.updated_at, tags };
}

/** @actions/github's Octokit for `apiUrl`, loaded when first wanted, its requests retried under `retry` (5xx, 429, network). */
export async function loadOctokit(apiUrl: string, token: string, retry: RetryPolicy): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(token, { baseUrl: apiUrl, userAgent: 'ghcr-publish', headers: { 'x-github-api-version': '2022-11-28' } });
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request({ ...options, request: { ...options.request, signal: AbortSignal.timeout(retry.timeoutMs) } });
      } catch (e) {
        const res = responseOf(e);
        const retryable = res ? res.status >= 500 : isTransient(e) || isTransient((e as Error).cause);
        if (!retryable || attempt >= retry.attempts) throw e;
        const wait = retryDelay(retry, attempt, res?.headers['retry-after'] ?? null);
        const what = res ? `answered ${res.status}` : `failed (${networkCause(e)})`;
        retry.onRetry?.(
          `${options.method} ${String(options.url).split('?')[0]} ${what}; retrying in ${wait / 1000} s (attempt ${attempt + 1} of ${retry.attempts})`,
        );
        await retry.sleep(wait);
      }
    }
  });
  return octokit;
}

interface OctokitFailure {
  status?: number;
  message?: string;
  response?: { status: number; headers: Record<string, string | undefined>; data?: unknown };
}

const statusOf = (e: unknown): number => (e as OctokitFailure)?.status ?? 0;
const responseOf = (e: unknown) => (e as OctokitFailure)?.response;

/** GitHub's own words and whether a rate limit, from Octokit's RequestError (or a network error). */
export function apiError(e: unknown): GitHubApiError {
  if (e instanceof GitHubApiError) return e;
  const res = responseOf(e);
  if (!res) return new GitHubApiError(0, networkCause(e), false);
  const data = res.data as { message?: unknown } | string | undefined;
  const message =
    typeof data === 'object' && typeof data?.message === 'string' ? data.message : typeof data === 'string' ? data.slice(0, 300) : '';
  // docs.github.com, "Rate limits for the REST API": a primary limit is 403 or 429 with
  // x-ratelimit-remaining: 0 (and x-ratelimit-reset); a secondary one may carry retry-after.
  const rateLimited =
    res.status === 429 ||
    (res.status === 403 &&
      (res.headers['x-ratelimit-remaining'] === '0' || res.headers['retry-after'] !== undefined || /rate limit/i.test(message)));
  return new GitHubApiError(res.status, message, rateLimited, rateLimited ? limitEnd(res.headers) : undefined);
}

function limitEnd(headers: Record<string, string | undefined>, now = Date.now()): Date | undefined {
  const after = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(after)) return new Date(now + after * 1000);
  const reset = Number(headers['x-ratelimit-reset']);
  return headers['x-ratelimit-reset'] !== undefined && Number.isFinite(reset) ? new Date(reset * 1000) : undefined;
}

/** The deepest cause that names a code (`ECONNREFUSED: connect …`), else the error's message. */
function networkCause(e: unknown): string {
  for (
    let c = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    c && depth < 5;
    c = c.cause as typeof c, depth++
  ) {
    if (typeof c.code === 'string') {
      const message = typeof c.message === 'string' ? c.message : '';
      return message.includes(c.code) ? message : `${c.code}${message ? `: ${message}` : ''}`;
    }
  }
  return e instanceof Error || typeof (e as Error)?.message === 'string' ? (e as Error).message : String(e);
}
