import { createHash } from 'node:crypto';
import { type RetryPolicy, defaultRetry, fetchWithRetry } from './http-retry.js';
import { registryBaseUrl } from './registry-rules.js';

/** What the registry's Basic auth and token service need of a credential. */
export interface Login {
  username: string;
  secret: string;
}

/** A registry's refusal, with its own words as docker would print them (`denied: …`). */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly registryMessage: string,
    readonly step: string,
  ) {
    super(`${step}: HTTP ${status}${registryMessage ? `: ${registryMessage}` : ''}`);
    this.name = 'RegistryError';
  }
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Manifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

/** The OCI distribution API as the action uses it: the auth challenge, manifests, upload sessions. */
export class RegistryClient {
  private readonly base: string;
  private readonly tokens = new Map<string, string>();

  constructor(
    host: string,
    private readonly credential: Login | undefined,
    private readonly retry: RetryPolicy = defaultRetry,
  ) {
    this.base = registryBaseUrl(host);
  }

  /** The manifest a reference (tag or digest) names; its digest is the sha256 of the bytes served. */
  async manifest(repository: string, reference: string): Promise<Manifest> {
    // GET, not HEAD: some registries answer HEAD for attestation indexes with a 500.
    const res = await this.request('GET', `/v2/${repository}/manifests/${reference}`, repository, 'pull', {
      Accept: MANIFEST_TYPES,
    });
    if (res.status !== 200) throw await registryError(res, `reading manifest ${repository}:${reference}`);
    const body = Buffer.from(await res.arrayBuffer());
    return {
      digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
      mediaType: res.headers.get('content-type') ?? '',
      body,
    };
  }

  /** Opens an upload session and cancels it: proof that this credential may push to `repository`. */
  async checkPush(repository: string): Promise<void> {
    const res = await this.request('POST', `/v2/${repository}/blobs/uploads/`, repository, 'pull,push');
    if (res.status !== 202) throw await registryError(res, 'starting an upload');
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (location) {
      const url = new URL(location, this.base);
      const del = await fetchWithRetry(url.toString(), { method: 'DELETE', headers: await this.auth(repository, 'pull,push') }, this.retry);
      await del.body?.cancel();
    }
  }

  private async request(method: string, path: string, repository: string, actions: string, headers: Record<string, string> = {}): Promise<Response> {
    const url = `${this.base}${path}`;
    let res = await fetchWithRetry(url, { method, headers: { ...headers, ...(await this.auth(repository, actions, true)) } }, this.retry);
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate') ?? '';
      await res.body?.cancel();
      const auth = await this.answer(challenge, repository, actions);
      res = await fetchWithRetry(url, { method, headers: { ...headers, ...auth } }, this.retry);
    }
    return res;
  }

  private async auth(repository: string, actions: string, cachedOnly = false): Promise<Record<string, string>> {
    // A push token also pulls.
    const token = this.tokens.get(`${repository}:${actions}`) ?? (actions === 'pull' ? this.tokens.get(`${repository}:pull,push`) : undefined);
    if (token) return { Authorization: token };
    if (cachedOnly) return {};
    const ping = await fetchWithRetry(`${this.base}/v2/`, {}, this.retry);
    await ping.body?.cancel();
    return ping.status === 401 ? this.answer(ping.headers.get('www-authenticate') ?? '', repository, actions) : {};
  }

  /** Answers a `WWW-Authenticate` challenge: Basic with the credential, or a Bearer token for the scope. */
  private async answer(challenge: string, repository: string, actions: string): Promise<Record<string, string>> {
    const parsed = parseChallenge(challenge);
    const basic = this.credential
      ? `Basic ${Buffer.from(`${this.credential.username}:${this.credential.secret}`).toString('base64')}`
      : undefined;
    let header: string | undefined;
    if (parsed.scheme === 'basic') {
      header = basic;
    } else if (parsed.scheme === 'bearer' && parsed.params.realm) {
      const url = new URL(parsed.params.realm);
      if (parsed.params.service) url.searchParams.set('service', parsed.params.service);
      url.searchParams.set('scope', `repository:${repository}:${actions}`);
      const res = await fetchWithRetry(url.toString(), { headers: basic ? { Authorization: basic } : {} }, this.retry);
      if (res.status !== 200) throw await registryError(res, `getting a token for ${repository} (${actions})`);
      const body = (await res.json()) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      if (!token) throw new RegistryError(res.status, 'the token service answered without a token', 'getting a token');
      header = `Bearer ${token}`;
    }
    if (!header) return {};
    this.tokens.set(`${repository}:${actions}`, header);
    return { Authorization: header };
  }
}

export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = header.match(/^\s*(\w+)\s*(.*)$/);
  if (!m) return { scheme: '', params: {} };
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

/** The registry's own words from an error response, formatted as the docker client prints them. */
export async function registryError(res: Response, step: string): Promise<RegistryError> {
  const text = await res.text().catch(() => '');
  let message = text.trim().slice(0, 500);
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[]; details?: string };
    if (body.errors?.length) {
      message = body.errors.map((e) => `${(e.code ?? 'error').toLowerCase()}: ${e.message ?? ''}`.trim()).join('; ');
    }
  } catch {
    // not JSON: keep the text as it is
  }
  return new RegistryError(res.status, message, step);
}
