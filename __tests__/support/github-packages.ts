import type http from 'node:http';
import type { TestCredential, TestPackage } from './github.ts';

/**
 * For the GitHub stand-in (github.ts): the package versions GitHub keeps for the manifests pushed
 * to its registry, and the Packages REST endpoints (a package; its versions: list with
 * pagination, get, delete).
 */
export interface TestVersion {
  id: number;
  /** The manifest's digest. */
  name: string;
  created_at: string;
  updated_at: string;
  /** The tags that point at it now. */
  tags: string[];
  /** How often it was downloaded (not counted by the stand-in: a test sets it). */
  downloads: number;
}

/** Versions by package, keyed by the registry path `owner/name…`. */
export class PackageVersions {
  private nextId = 1000;
  private readonly byPackage = new Map<string, TestVersion[]>();

  /** A manifest PUT: a new version for a new digest; a tag moves here from wherever it was. */
  record(repository: string, reference: string, digest: string, now = new Date()): void {
    const versions = this.byPackage.get(repository) ?? [];
    this.byPackage.set(repository, versions);
    let version = versions.find((v) => v.name === digest);
    if (!version) {
      version = { id: this.nextId++, name: digest, created_at: now.toISOString(), updated_at: now.toISOString(), tags: [], downloads: 0 };
      versions.push(version);
    }
    if (reference.startsWith('sha256:')) return;
    for (const v of versions) v.tags = v.tags.filter((t) => t !== reference);
    version.tags.push(reference);
    version.updated_at = now.toISOString();
  }

  /** Newest first, as GitHub lists them. */
  list(repository: string): TestVersion[] {
    return [...(this.byPackage.get(repository) ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  }

  remove(repository: string, id: number): void {
    this.byPackage.set(
      repository,
      (this.byPackage.get(repository) ?? []).filter((v) => v.id !== id),
    );
  }

  /** Makes a version (in every package that has it) as often downloaded as a test needs. */
  setDownloads(digest: string, downloads: number): void {
    for (const v of [...this.byPackage.values()].flat().filter((x) => x.name === digest)) v.downloads = downloads;
  }

  /** Makes a version (in every package that has it) as old as a test needs. */
  setCreated(digest: string, date: Date): void {
    const found = [...this.byPackage.values()].flat().filter((v) => v.name === digest);
    if (found.length === 0) throw new Error(`no package version has digest ${digest}`);
    for (const v of found) v.created_at = v.updated_at = date.toISOString();
  }
}

/**
 * GitHub's REST API rate limits, as docs.github.com ("Rate limits for the REST API") states them.
 * Primary: requests an hour per credential — a GITHUB_TOKEN 1,000 per repository, a PAT 5,000 —
 * told on every answer in `x-ratelimit-*`; spent, 403 "API rate limit exceeded…" with
 * `x-ratelimit-remaining: 0` and `x-ratelimit-reset`. Secondary: 900 points a minute of REST
 * requests (a GET 1, a DELETE 5); exceeded, 403 "You have exceeded a secondary rate limit…" with
 * `retry-after`. A test may lower any of them, or start a new hour.
 */
export class RateLimits {
  readonly hourly = { 'github-token': 1000, pat: 5000 };
  pointsPerMinute = 900;
  private readonly spent = new Map<string, number>();
  private readonly points = new Map<string, { since: number; points: number }>();
  private hourStart = Date.now();

  /** A new hour: every primary budget full again, and no points spent. */
  reset(): void {
    this.spent.clear();
    this.points.clear();
    this.hourStart = Date.now();
  }

  /** Charges one request; the headers every answer carries, and the refusal when a limit is passed. */
  charge(
    who: TestCredential,
    method: string,
  ): { headers: Record<string, string>; refusal?: { message: string; headers: Record<string, string> } } {
    const budget = who.kind === 'github-token' ? `repo:${who.repository ?? ''}` : `user:${who.login}`;
    const limit = who.kind === 'github-token' ? this.hourly['github-token'] : this.hourly.pat;
    const reset = String(Math.ceil((this.hourStart + 3_600_000) / 1000));
    const used = (this.spent.get(budget) ?? 0) + 1;
    const headers = (remaining: number) => ({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(remaining, 0)),
      'x-ratelimit-used': String(Math.min(used, limit)),
      'x-ratelimit-reset': reset,
      'x-ratelimit-resource': 'core',
    });
    if (used > limit) {
      const message = `API rate limit exceeded for ${who.kind === 'github-token' ? 'installation' : 'user'}. (But here's the good news: Authenticated requests get a higher rate limit.)`;
      return { headers: headers(0), refusal: { message, headers: headers(0) } };
    }
    this.spent.set(budget, used);
    const now = Date.now();
    const minute = this.points.get(budget);
    const window = minute && now - minute.since < 60_000 ? minute : { since: now, points: 0 };
    window.points += method === 'GET' ? 1 : 5;
    this.points.set(budget, window);
    if (window.points > this.pointsPerMinute) {
      const message = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
      return { headers: headers(limit - used), refusal: { message, headers: { ...headers(limit - used), 'retry-after': '60' } } };
    }
    return { headers: headers(limit - used) };
  }
}

/** What the REST endpoints need of the stand-in. */
export interface PackagesHost {
  limits: RateLimits;
  /** Runs as a DELETE of a version arrives, before GitHub's rules are applied: another workflow racing a prune. */
  beforeDelete?: (repository: string, digest: string) => Promise<void>;
  versions: PackageVersions;
  packages: TestPackage[];
  orgs: string[];
  apiUrl: string;
  serverUrl: string;
  /** The credential a token is, if any. */
  credential(secret: string): TestCredential | undefined;
  /** Deletes a manifest from the backing registry; its HTTP status. */
  deleteManifest(repository: string, digest: string): Promise<number>;
  /** GETs `/v2/{repository}/{path}` from the backing registry, as JSON. */
  readRegistry(repository: string, path: string, accept?: string): Promise<Record<string, unknown>>;
}

/** As GitHub does: the first push creates the package, linked by its source label when the owner matches. */
export async function createOnFirstPush(
  host: PackagesHost,
  repository: string,
  manifestBody: Buffer,
  pushedBy: string | undefined,
): Promise<void> {
  const [owner, ...rest] = repository.split('/');
  if (host.packages.some((p) => p.owner === owner && p.name === rest.join('/'))) return;
  let manifest = JSON.parse(manifestBody.toString()) as { manifests?: { digest: string }[]; config?: { digest: string } };
  if (manifest.manifests) {
    const image = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
    manifest = await host.readRegistry(repository, `manifests/${manifest.manifests[0].digest}`, image);
  }
  if (!manifest.config) return;
  const config = (await host.readRegistry(repository, `blobs/${manifest.config.digest}`)) as {
    config?: { Labels?: Record<string, string> };
  };
  const source = config.config?.Labels?.['org.opencontainers.image.source'] ?? '';
  const linked = source.startsWith(`${host.serverUrl}/`) ? source.slice(host.serverUrl.length + 1) : '';
  host.packages.push({
    owner,
    name: rest.join('/'),
    repository: linked.split('/')[0]?.toLowerCase() === owner ? linked : null,
    visibility: 'private',
    // The repository whose workflow first published it has the admin role.
    adminRepository: pushedBy,
  });
}

type Json = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** Answers with a JSON body (none when `body` is undefined). */
function jsonResponder(res: http.ServerResponse): Json {
  return (status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
  };
}

/** The registry's own DELETE of a manifest (the stand-in's registry runs with delete enabled); its status. */
export async function deleteManifest(registryUrl: string, repository: string, digest: string, token: string): Promise<number> {
  const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${digest}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${token}` },
  });
  await res.body?.cancel();
  return res.status;
}

/** `GET /api/{orgs|users}/{owner}/packages/container/{name}` and its versions, as GitHub documents them. */
export async function packagesApi(host: PackagesHost, req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
  const json = jsonResponder(res);
  // Octokit sends `token …`, curl users `Bearer …`: GitHub takes both.
  const who = host.credential(req.headers.authorization?.replace(/^(token|Bearer) /i, '') ?? '');
  if (!who) return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
  const charged = host.limits.charge(who, req.method ?? 'GET');
  if (charged.refusal) {
    const docs = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
    return json(403, { message: charged.refusal.message, documentation_url: docs }, charged.refusal.headers);
  }
  const withLimits: Json = (status, body, headers = {}) => json(status, body, { ...charged.headers, ...headers });
  if (who.apiRefused) return withLimits(403, { message: 'Resource not accessible by integration' });
  return endpoints(host, who, req, url, withLimits);
}

async function endpoints(host: PackagesHost, who: TestCredential, req: http.IncomingMessage, url: URL, json: Json): Promise<void> {
  const m = url.pathname.match(/^\/api\/(orgs|users)\/([^/]+)\/packages\/container\/([^/]+)(\/versions(?:\/(\d+))?)?$/);
  if (!m) return json(404, { message: 'Not Found' });
  const [, kind, owner, encoded, versions, id] = m;
  const isOrg = host.orgs.includes(owner);
  const pkg = host.packages.find((p) => p.owner === owner && p.name === decodeURIComponent(encoded));
  if ((kind === 'orgs') !== isOrg || !pkg) return json(404, { message: 'Package not found.' });
  if (versions) return versionsEndpoint(host, who, pkg, req, url, { kind, owner, encoded, repository: `${owner}/${pkg.name}`, id }, json);
  json(200, {
    id: 1,
    name: pkg.name,
    package_type: 'container',
    owner: { login: owner, type: isOrg ? 'Organization' : 'User' },
    visibility: pkg.visibility,
    html_url: `${host.serverUrl}/${kind}/${owner}/packages/container/package/${encoded}`,
    repository: pkg.repository ? { full_name: pkg.repository, html_url: `${host.serverUrl}/${pkg.repository}` } : null,
  });
}

/**
 * `GET …/versions` (`per_page` ≤ 100, `page`, a `Link` header), `GET …/versions/{id}` and
 * `DELETE …/versions/{id}` (204; the manifest really goes from the registry), under GitHub's rules:
 * GITHUB_TOKEN deletes with `packages: write` and the admin role on the package, a classic PAT
 * with `delete:packages`.
 */
async function versionsEndpoint(
  host: PackagesHost,
  who: TestCredential,
  pkg: TestPackage,
  req: http.IncomingMessage,
  url: URL,
  at: { kind: string; owner: string; encoded: string; repository: string; id?: string },
  json: Json,
): Promise<void> {
  const same = (a?: string | null, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
  if (who.kind === 'fine-grained-pat') return json(403, { message: 'Resource not accessible by personal access token' });
  if (who.kind === 'classic-pat' && !who.scopes?.some((s) => /^(read|write|delete):packages$/.test(s))) {
    return json(403, { message: 'Resource not accessible by personal access token' }, { 'x-accepted-oauth-scopes': 'read:packages' });
  }
  const repo = who.repository;
  const mayRead =
    who.kind === 'classic-pat' ||
    pkg.visibility === 'public' ||
    same(pkg.repository, repo) ||
    same(pkg.adminRepository, repo) ||
    !!pkg.actionsAccess?.some((r) => same(r, repo));
  if (!mayRead) return json(404, { message: 'Package not found.' });
  const base = `${host.apiUrl}/${at.kind}/${at.owner}/packages/container/${at.encoded}/versions`;
  const view = (v: TestVersion) => ({
    id: v.id,
    name: v.name,
    url: `${base}/${v.id}`,
    package_html_url: `https://github.com/${at.kind}/${at.owner}/packages/container/package/${at.encoded}`,
    created_at: v.created_at,
    updated_at: v.updated_at,
    html_url: `https://github.com/${at.kind}/${at.owner}/packages/container/${at.encoded}/${v.id}`,
    metadata: { package_type: 'container', container: { tags: [...v.tags] } },
  });
  const all = host.versions.list(at.repository);
  if (at.id === undefined) {
    if (req.method !== 'GET') return json(404, { message: 'Not Found' });
    const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? '30') || 30, 1), 100);
    const page = Math.max(Number(url.searchParams.get('page') ?? '1') || 1, 1);
    const last = Math.max(Math.ceil(all.length / perPage), 1);
    const link = (p: number, rel: string) => `<${base}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links = page < last ? [link(page + 1, 'next'), link(last, 'last')] : [];
    return json(200, all.slice((page - 1) * perPage, page * perPage).map(view), links.length > 0 ? { link: links.join(', ') } : {});
  }
  const version = all.find((v) => v.id === Number(at.id));
  if (!version) return json(404, { message: 'Not Found' });
  if (req.method === 'GET') return json(200, view(version));
  if (req.method !== 'DELETE') return json(404, { message: 'Not Found' });
  await host.beforeDelete?.(at.repository, version.name);
  if (who.kind === 'classic-pat' && !who.scopes?.includes('delete:packages')) {
    return json(403, { message: 'Resource not accessible by personal access token' }, { 'x-accepted-oauth-scopes': 'delete:packages' });
  }
  if (who.kind === 'github-token' && !who.packagesWrite) return json(403, { message: 'Resource not accessible by integration' });
  // A GITHUB_TOKEN without the admin role on the package is told the package is not there
  // (canonical/authd#1376, actions/delete-package-versions#237).
  if (who.kind === 'github-token' && !same(pkg.adminRepository, repo)) return json(404, { message: 'Package not found.' });
  // kairos-io/kairos#4723 (the last tagged version); actions/delete-package-versions#231 (the last version).
  if (all.length === 1)
    return json(400, { message: 'You cannot delete the last version of a package. You must delete the package instead.' });
  if (version.tags.length > 0 && all.filter((v) => v.tags.length > 0).length === 1) {
    return json(400, { message: 'You cannot delete the last tagged version of a package. You must delete the package instead.' });
  }
  // The rule is documented (docs.github.com, "Deleting and restoring a package"); GitHub's words for it are not: these are ours.
  if (pkg.visibility === 'public' && version.downloads > 5000) {
    return json(400, { message: 'Publicly visible package versions with more than 5000 downloads cannot be deleted.' });
  }
  const status = await host.deleteManifest(at.repository, version.name);
  if (status !== 202) return json(500, { message: `the registry answered ${status} to deleting ${version.name}` });
  host.versions.remove(at.repository, version.id);
  json(204, undefined);
}
