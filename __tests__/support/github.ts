import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PackageVersions, type PackagesHost, RateLimits, createOnFirstPush, deleteManifest, packagesApi } from './github-packages.ts';
import { type TestRegistry, startRegistry } from './registry.ts';
import { SignedUrlHost } from './signed-urls.ts';
import { tempDir } from '../../__fixtures__/temp-dir.ts';
import { type TokenSigner, tokenSigner } from './token-signer.ts';

/**
 * A stand-in for what cannot be reached from here: GitHub's token rules for its container
 * registry and the packages REST API. It issues tokens for a real CNCF Distribution registry and
 * sits in front of it, answering refusals with GitHub's own error bodies, as ghcr.io does: the
 * token service grants what the rules allow (without an error), and the upload is refused.
 * Every manifest PUT becomes a package version (github-packages.ts), deleted through the REST API
 * only: the registry's own manifest DELETE answers 405, as ghcr.io's does. A blob read answers 307
 * to a signed URL on another origin that refuses an Authorization header (signed-urls.ts).
 */
export interface TestCredential {
  login: string;
  kind: 'github-token' | 'classic-pat' | 'fine-grained-pat';
  /** GITHUB_TOKEN: the workflow's repository, and whether the job has `packages: write`. */
  repository?: string;
  packagesWrite?: boolean;
  /** Classic PAT: its scopes, and the organizations its account is a member of. */
  scopes?: string[];
  memberOf?: string[];
  /** The packages API refuses this credential (403), as it does for some tokens. */
  apiRefused?: boolean;
}

export interface TestPackage {
  owner: string;
  name: string;
  /** The linked repository, `Owner/Name`, or null. */
  repository: string | null;
  visibility: 'private' | 'public' | 'internal';
  /** Repositories granted Write under "Manage Actions access". */
  actionsAccess?: string[];
  /** The repository with the admin role (may delete versions): by default, the one whose GITHUB_TOKEN first pushed. */
  adminRepository?: string;
}

const SERVICE = 'ghcr.test';
const ISSUER = 'ghcr-publish-tests';
const UNAUTHENTICATED = 'unauthenticated: User cannot be authenticated with the token provided.';
const SCOPES = 'permission_denied: The token provided does not match expected scopes.';

/** A stand-in with two jobs of Acme/Widget: `write` with `packages: write`, `read` without (a fork pull request's). */
export function widgetJobs(write: string, read: string): FakeGitHub {
  const job = (packagesWrite: boolean): TestCredential => ({
    login: 'github-actions',
    kind: 'github-token',
    repository: 'Acme/Widget',
    packagesWrite,
  });
  return new FakeGitHub({ [write]: job(true), [read]: job(false) }, [], ['acme']);
}

export class FakeGitHub {
  readonly packages: TestPackage[];
  /** Every request the stand-in answered, `METHOD path`, and whom each token was for (`token for LOGIN`). */
  readonly requests: string[] = [];
  /** The package versions, by registry path; `versions.setCreated(digest, date)` ages one. */
  readonly versions = new PackageVersions();
  /** Runs as a DELETE of a package version arrives: a test's other workflow, racing a prune. */
  beforeDelete?: (repository: string, digest: string) => Promise<void>;
  /** The REST API's rate limits (github-packages.ts): `limits.hourly`, `limits.reset()`. */
  readonly limits = new RateLimits();
  /** Where blob reads are redirected, as ghcr.io redirects them to pkg-containers.githubusercontent.com. */
  readonly signedUrls = new SignedUrlHost();
  private server!: http.Server;
  private registry!: TestRegistry;
  private signer!: TokenSigner;
  private readonly denials = new Map<string, string>();
  private readonly failures = new Map<string, number>();

  private readonly credentials: Record<string, TestCredential>;
  private readonly orgs: string[];
  private readonly serverUrl = 'https://github.com';

  constructor(credentials: Record<string, TestCredential>, packages: TestPackage[], orgs: string[]) {
    this.credentials = credentials;
    this.packages = packages.map((p) => ({ ...p }));
    this.orgs = orgs;
  }

  /** host:port of the registry, as the action and docker see it. */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get apiUrl(): string {
    return `http://${this.host}/api`;
  }

  async start(): Promise<void> {
    const dir = tempDir('fake-github-');
    this.signer = tokenSigner(dir, ISSUER, SERVICE);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => res.writeHead(500).end(e.message));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    await this.signedUrls.start();
    this.registry = await startRegistry({
      kind: 'token',
      realm: `http://${this.host}/token`,
      service: SERVICE,
      issuer: ISSUER,
      certFile: this.signer.certFile,
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    await this.signedUrls.stop();
    await this.registry.stop();
  }

  /** The next `count` requests to `pathname` answer 503, as a service under load may. */
  failNext(pathname: string, count: number): void {
    this.failures.set(pathname, count);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    this.requests.push(`${req.method} ${url.pathname}`);
    const failures = this.failures.get(url.pathname) ?? 0;
    if (failures > 0) {
      this.failures.set(url.pathname, failures - 1);
      return errorBody(res, 503, 'UNAVAILABLE', 'service unavailable');
    }
    if (url.pathname === '/token') return this.token(req, url, res, await readBody(req));
    if (url.pathname.startsWith('/api/')) return packagesApi(this.packagesHost(), req, url, res);
    return this.proxy(req, url, res);
  }

  private credential(header: string | undefined, scheme: 'Basic' | 'Bearer'): readonly [string, TestCredential | undefined] | undefined {
    if (!header?.startsWith(`${scheme} `)) return undefined;
    const value = header.slice(scheme.length + 1);
    const secret = scheme === 'Basic' ? Buffer.from(value, 'base64').toString().split(':').slice(1).join(':') : value;
    return [secret, this.credentials[secret]];
  }

  /** Whether `repository` (owner/name...) is a package that exists and is not public. */
  private isPrivate(repository: string): boolean {
    const [owner, ...rest] = repository.split('/');
    const pkg = this.packages.find((p) => p.owner === owner && p.name === rest.join('/'));
    return pkg !== undefined && pkg.visibility !== 'public';
  }

  /** GitHub's rules for pushing to `repository` (owner/name...): undefined, or its refusal. */
  private pushRefusal(cred: TestCredential, repository: string): string | undefined {
    const [owner, ...rest] = repository.split('/');
    const pkg = this.packages.find((p) => p.owner === owner && p.name === rest.join('/'));
    const org = this.orgs.includes(owner) ? 'organization' : 'user';
    if (cred.kind === 'fine-grained-pat') return SCOPES;
    if (cred.kind === 'classic-pat') {
      if (!cred.scopes?.includes('write:packages')) return SCOPES;
      const allowed = owner === cred.login.toLowerCase() || cred.memberOf?.includes(owner);
      return allowed ? undefined : `installation not allowed to ${pkg ? 'Write' : 'Create'} ${org} package`;
    }
    const repo = cred.repository ?? '';
    if (!cred.packagesWrite || owner !== repo.split('/')[0].toLowerCase()) {
      return `installation not allowed to ${pkg ? 'Write' : 'Create'} ${org} package`;
    }
    // The admin role (the repository whose workflow first published it) includes Write.
    const mayWrite =
      !pkg ||
      [pkg.repository, pkg.adminRepository].some((r) => r?.toLowerCase() === repo.toLowerCase()) ||
      pkg.actionsAccess?.includes(repo);
    return mayWrite ? undefined : 'permission_denied: write_package';
  }

  /** GET with Basic auth (the docker CLI), or the OAuth2 password grant by POST (containerd). */
  private token(req: http.IncomingMessage, url: URL, res: http.ServerResponse, body: Buffer): void {
    const form = new URLSearchParams(req.method === 'POST' ? body.toString() : '');
    const basic =
      req.method === 'POST'
        ? form.get('grant_type') === 'password'
          ? ([form.get('password') ?? '', this.credentials[form.get('password') ?? '']] as const)
          : undefined
        : this.credential(req.headers.authorization, 'Basic');
    if (basic && !basic[1]) return errorBody(res, 401, 'UNAUTHORIZED', UNAUTHENTICATED);
    const cred = basic?.[1];
    const scopes = req.method === 'POST' ? (form.get('scope') ?? '').split(' ').filter(Boolean) : url.searchParams.getAll('scope');
    // Anonymous pull tokens are for public packages only: for another, ghcr.io's token service
    // answers 401 (openai/tunnel-client#75, registry-rules section 9).
    if (!cred && scopes.some((scope) => this.isPrivate(scope.split(':')[1] ?? ''))) {
      return errorBody(res, 401, 'UNAUTHORIZED', 'authentication required');
    }
    this.requests.push(`token for ${cred?.login ?? 'anonymous'}`);
    const access = [];
    const jti = randomUUID();
    for (const scope of scopes) {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository') continue;
      const granted = actions.split(',').filter((a) => a === 'pull' || (a === 'push' && cred));
      const refusal = cred && granted.includes('push') ? this.pushRefusal(cred, name) : undefined;
      if (refusal) this.denials.set(jti, refusal);
      access.push({ type, name, actions: refusal ? granted.filter((a) => a !== 'push') : granted });
    }
    const repository = cred?.kind === 'github-token' ? cred.repository : undefined;
    const token = this.sign({ sub: cred?.login ?? '', access, jti, ...(repository ? { repository } : {}) });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  }

  private sign(claims: Record<string, unknown>): string {
    return this.signer.sign(claims);
  }

  private claims(authorization: string | undefined): { jti?: string; repository?: string; access?: { name: string; actions: string[] }[] } {
    const jwt = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
    try {
      return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as ReturnType<FakeGitHub['claims']>;
    } catch {
      return {};
    }
  }

  /** Forwards to the real registry; refuses writes the token may not make with GitHub's words. */
  private async proxy(req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
    const name = url.pathname.match(/^\/v2\/(.+?)\/(?:blobs|manifests)\//)?.[1];
    const write = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '');
    const claims = this.claims(req.headers.authorization);
    if (write && name && claims.jti && !claims.access?.some((a) => a.name === name && a.actions.includes('push'))) {
      return errorBody(res, 403, 'DENIED', this.denials.get(claims.jti) ?? 'permission_denied: write_package');
    }
    const manifest = url.pathname.match(/\/manifests\/([^/]+)$/)?.[1];
    if (req.method === 'DELETE' && manifest) return errorBody(res, 405, 'UNSUPPORTED', 'The operation is unsupported.');
    const body = await readBody(req);
    const upstream = await fetch(`${this.registry.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['content-length', 'connection', 'host'].includes(k)),
      ) as Record<string, string>,
      body: body.length > 0 ? new Uint8Array(body) : undefined,
      redirect: 'manual',
    });
    const payload = Buffer.from(await upstream.arrayBuffer());
    // ghcr.io answers a blob GET with 307 to a signed URL on another host (registry-rules, section 9).
    if (req.method === 'GET' && /\/blobs\/sha256:[0-9a-f]{64}$/.test(url.pathname) && upstream.status === 200) {
      const location = this.signedUrls.sign(payload, upstream.headers.get('content-type') ?? 'application/octet-stream');
      return void res.writeHead(307, { location, 'content-length': 0 }).end();
    }
    if (req.method === 'PUT' && name && manifest && upstream.status === 201) {
      await createOnFirstPush(this.packagesHost(), name, body, claims.repository);
      this.versions.record(name, decodeURIComponent(manifest), upstream.headers.get('docker-content-digest') ?? '');
    }
    const headers: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v.replace(this.registry.host, this.host);
    });
    res.writeHead(upstream.status, headers).end(payload);
  }

  /** What the Packages REST endpoints (github-packages.ts) need. */
  private packagesHost(): PackagesHost {
    const token = (name: string) =>
      this.sign({ sub: 'github', access: [{ type: 'repository', name, actions: ['pull', 'push', 'delete'] }] });
    return {
      limits: this.limits,
      beforeDelete: (repository, digest) => this.beforeDelete?.(repository, digest) ?? Promise.resolve(),
      versions: this.versions,
      packages: this.packages,
      orgs: this.orgs,
      apiUrl: this.apiUrl,
      serverUrl: this.serverUrl,
      credential: (secret) => this.credentials[secret],
      deleteManifest: (repo, digest) => deleteManifest(this.registry.url, repo, digest, token(repo)),
      readRegistry: async (repo, p, accept = '*/*') => {
        const res = await fetch(`${this.registry.url}/v2/${repo}/${p}`, {
          headers: { Authorization: `Bearer ${token(repo)}`, Accept: accept },
        });
        return (await res.json()) as Record<string, unknown>;
      },
    };
  }
}

function errorBody(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code, message }] }));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
