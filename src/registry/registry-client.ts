import type { Readable } from 'node:stream';
import {
  type RetryInit,
  type RetryPolicy,
  type RetryStep,
  defaultRetry,
  requestOnce,
  isRetryableStatus,
  isTransient,
  withRetries,
} from './http-retry.js';
import type { AnswerHeaders, HttpAnswer } from './http-answer.js';
import { type Descriptor, type Manifest, INDEX, MANIFEST_TYPES, declaredMediaType, refName, sha256Digest } from './manifest-tree.js';
import { type Login, RegistryAuth, scope } from './registry-auth.js';
import { RegistryError, registryError } from './registry-error.js';
import { type RegistryLimits, cutByTimeLimit } from './registry-limits.js';
import { registryBaseUrl } from './registry-rules.js';

export type { Login } from './registry-auth.js';
export { parseChallenge } from './registry-auth.js';
export { RegistryError, registryError } from './registry-error.js';

/** A layer's upload or read ends when no byte moves for this long (a registry may take a while to answer a large PUT). */
const IDLE_TIMEOUT_MS = 120_000;

/** What a blob upload sends: a file's stream, another registry's response body, or bytes. */
export type BlobBody = ReadableStream | Readable | Buffer;

/** How many redirects a read follows; the statuses that are one. */
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The OCI distribution API as the action uses it, every request retried under one policy.
 * One instance per credential per run, so each token is asked for once.
 */
export class RegistryClient {
  readonly retry: RetryPolicy;
  readonly limits: RegistryLimits;
  private readonly base: string;
  private readonly auth: RegistryAuth;

  constructor(
    readonly host: string,
    credential?: Login,
    options: { retry?: RetryPolicy; limits?: RegistryLimits } = {},
  ) {
    this.base = registryBaseUrl(host);
    this.retry = options.retry ?? defaultRetry;
    this.limits = options.limits ?? {};
    this.auth = new RegistryAuth(credential, this.retry);
  }

  /** The manifest a reference (tag or digest) names; its digest is the sha256 of the bytes served. */
  async manifest(repository: string, reference: string): Promise<Manifest> {
    return (await this.readManifest(repository, reference, true)) as Manifest;
  }

  /** As `manifest`, but undefined when the registry has no such manifest (404). */
  findManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    return this.readManifest(repository, reference, false);
  }

  private async readManifest(repository: string, reference: string, required: boolean): Promise<Manifest | undefined> {
    // GET, not HEAD: some registries answer HEAD for attestation indexes with a 500.
    const res = await this.send('GET', `/v2/${repository}/manifests/${reference}`, [scope(repository, 'pull')], {
      headers: { Accept: MANIFEST_TYPES },
    });
    if (res.status === 404 && !required) return undefined;
    if (res.status !== 200) throw await registryError(res, `reading the manifest ${refName(repository, reference)}`);
    const body = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(body);
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new Error(
        `The registry served ${refName(repository, reference)} with content whose digest is ${digest}: it is damaged or was altered on the way.`,
      );
    }
    return { digest, mediaType: res.headers.get('content-type') ?? declaredMediaType(body), body };
  }

  /** Stores a manifest under a tag or its digest; returns its digest, which the registry must agree with. */
  async putManifest(repository: string, reference: string, manifest: { body: Buffer; mediaType: string }): Promise<string> {
    return (await this.storeManifest(repository, reference, manifest)).digest;
  }

  /**
   * Stores a manifest that names a `subject`, by its digest. `indexed`: the registry answered with
   * `OCI-Subject`, so it lists the manifest among the subject's referrers itself (OCI distribution
   * spec 1.1, "Pushing Manifests with Subject"); otherwise the client keeps the referrers tag.
   */
  async putReferrer(repository: string, manifest: { body: Buffer; mediaType: string }): Promise<{ digest: string; indexed: boolean }> {
    const { digest, headers } = await this.storeManifest(repository, sha256Digest(manifest.body), manifest);
    return { digest, indexed: headers.has('oci-subject') };
  }

  /**
   * What the registry's referrers API lists for `digest`; undefined when it has none (a 404, 400,
   * 405 or 406, or an answer that is not an index: the spec's signs of a registry without the API).
   */
  async referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    const res = await this.send('GET', `/v2/${repository}/referrers/${digest}`, [scope(repository, 'pull')], {
      headers: { Accept: INDEX },
    });
    if ([400, 404, 405, 406].includes(res.status)) return undefined;
    if (res.status !== 200) throw await registryError(res, `listing the referrers of ${refName(repository, digest)}`);
    if (!(res.headers.get('content-type') ?? '').startsWith(INDEX)) return undefined;
    const json = JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8')) as { manifests?: Descriptor[] };
    return Array.isArray(json.manifests) ? json.manifests : undefined;
  }

  private async storeManifest(
    repository: string,
    reference: string,
    manifest: { body: Buffer; mediaType: string },
  ): Promise<{ digest: string; headers: AnswerHeaders }> {
    const digest = sha256Digest(manifest.body);
    const name = refName(repository, reference);
    if (reference.startsWith('sha256:') && reference !== digest)
      throw new Error(`Cannot store ${name}: the manifest's digest is ${digest}.`);
    const res = await this.send('PUT', `/v2/${repository}/manifests/${reference}`, [scope(repository, 'pull,push')], {
      body: manifest.body,
      headers: { 'Content-Type': manifest.mediaType },
    });
    if (!res.ok) throw await registryError(res, `storing the manifest ${name}`);
    await res.body?.cancel();
    const stored = res.headers.get('docker-content-digest');
    if (stored && stored !== digest) {
      throw new Error(
        `The registry stored ${name} as ${stored}, not as the manifest sent (${digest}): it rewrote the manifest, so the digest would not be the one built.`,
      );
    }
    return { digest, headers: res.headers };
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.send('HEAD', `/v2/${repository}/blobs/${digest}`, [scope(repository, 'pull')]);
    await res.body?.cancel();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await registryError(res, `asking whether ${repository} holds ${digest}`);
  }

  /** A small blob (an image config), read whole, following the registry's redirects; its digest is checked. */
  async blob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.send('GET', `/v2/${repository}/blobs/${digest}`, [scope(repository, 'pull')]);
    if (res.status !== 200) throw await registryError(res, `reading ${refName(repository, digest)}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (sha256Digest(body) !== digest)
      throw new Error(`The registry served ${refName(repository, digest)} with other content (${sha256Digest(body)}).`);
    return body;
  }

  /**
   * Uploads one blob in a single PUT, streamed. `open` is called for each PUT, after the session is
   * open, so each streams the content afresh (from a file, or another registry's response
   * body); a transient failure (of the session's POST, the PUT, or a reset mid-upload) starts again
   * from a new session, as often as the retry policy allows, except one the registry's upload time
   * limit cut: that would end the same way every time.
   */
  async uploadBlob(repository: string, digest: string, size: number, open: () => BlobBody | Promise<BlobBody>): Promise<void> {
    const scopes = [scope(repository, 'pull,push')];
    let phase = '';
    let putting = false;
    const res = await withRetries(
      this.retry,
      async (step) => {
        phase = `starting an upload to ${repository}`;
        putting = false;
        const post = await this.send('POST', `/v2/${repository}/blobs/uploads/`, scopes, {}, step);
        if (post.status !== 202) return post;
        await post.body?.cancel();
        const location = post.headers.get('location');
        if (!location) throw new RegistryError(202, 'the registry opened an upload session without a Location', phase);
        phase = `uploading ${digest} (${size} bytes) to ${repository}`;
        putting = true;
        const url = new URL(location, this.base).href;
        const started = Date.now();
        const cut = () => cutByTimeLimit(this.host, this.limits, digest, size, Date.now() - started);
        const put = await this.send(
          'PUT',
          `${url}${url.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`,
          scopes,
          {
            // Opened for each request: a PUT sent again after a 401 streams the content afresh.
            body: open,
            headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
            timeoutMs: Math.max(this.retry.timeoutMs, IDLE_TIMEOUT_MS),
          },
          step,
        ).catch((e: unknown) => {
          throw (isTransient(e) && cut()) || e;
        });
        if (put.status === 404 || isRetryableStatus(put.status)) {
          const limitHit = cut();
          if (limitHit) throw limitHit;
        }
        return put;
      },
      // A session the registry lost mid-push (ghcr.io's BLOB_UPLOAD_UNKNOWN) is started again too.
      { again: 'with a new upload session', alsoRetry: (r) => putting && r.status === 404 },
    );
    if (res.status !== 201) throw await registryError(res, phase);
    await res.body?.cancel();
  }

  /**
   * A blob's content as a stream, following the registry's redirects (without its credential on
   * another origin): for a copy to another repository or registry, never read whole into memory.
   */
  async openBlob(repository: string, digest: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.send('GET', `/v2/${repository}/blobs/${digest}`, [scope(repository, 'pull')], {
      timeoutMs: Math.max(this.retry.timeoutMs, IDLE_TIMEOUT_MS),
      streamAnswer: true,
    });
    if (res.status !== 200 || !res.body) throw await registryError(res, `reading ${refName(repository, digest)}`);
    return res.body;
  }

  /** Links a blob `fromRepository` holds into `repository` without sending it; false when the registry would not. */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean> {
    const scopes = [scope(repository, 'pull,push'), scope(fromRepository, 'pull')];
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
    const res = await this.send('POST', `/v2/${repository}/blobs/uploads/?${query}`, scopes);
    if (res.status === 201) {
      await res.body?.cancel();
      return true;
    }
    if (res.status !== 202) throw await registryError(res, `mounting ${digest} from ${fromRepository} into ${repository}`);
    await this.cancelUpload(res, scopes);
    return false;
  }

  /** Opens an upload session and cancels it: proof that this credential may push to `repository`. */
  async checkPush(repository: string): Promise<void> {
    const scopes = [scope(repository, 'pull,push')];
    const res = await this.send('POST', `/v2/${repository}/blobs/uploads/`, scopes);
    if (res.status !== 202) throw await registryError(res, 'starting an upload');
    await this.cancelUpload(res, scopes);
  }

  /** Cancels the session a 202 opened. Best effort: ghcr.io answers 405, and a session expires by itself. */
  private async cancelUpload(opened: HttpAnswer, scopes: string[]): Promise<void> {
    await opened.body?.cancel();
    const location = opened.headers.get('location');
    if (!location) return;
    const res = await this.send('DELETE', new URL(location, this.base).href, scopes).catch(() => undefined);
    await res?.body?.cancel();
  }

  /**
   * One request with the credential: the header kept for these scopes, and after a 401 one fresh
   * answer to the registry's challenge, never more. Retried by the policy, or tried once when a
   * `step` of an outer retry loop is given. Credentials go only to the registry's own origin.
   */
  private async send(method: string, pathOrUrl: string, scopes: string[], init: RetryInit = {}, step?: RetryStep): Promise<HttpAnswer> {
    const url = new URL(pathOrUrl, this.base).href;
    const foreign = new WeakSet<HttpAnswer>();
    const go = (auth: Record<string, string>): Promise<HttpAnswer> => {
      const once = (s: RetryStep) => this.follow(url, { ...init, method }, auth, s, foreign);
      return step ? once(step) : withRetries(this.retry, once);
    };
    if (new URL(url).origin !== new URL(this.base).origin) return go({});
    const sent = await this.auth.header(scopes);
    const res = await go(sent);
    // Another host's 401 (a signed URL's) says nothing about the registry's token.
    if (res.status !== 401 || foreign.has(res)) return res;
    const fresh = await this.auth.renew(scopes, res.headers.get('www-authenticate'), sent.Authorization);
    if (!fresh) return res;
    await res.body?.cancel();
    return go(fresh);
  }

  /**
   * One try of a request, following a read's redirects itself (never fetch's own following): the
   * credential goes to the registry's origin only. ghcr.io answers a blob GET with 307 to a
   * signed URL on another host (pkg-containers.githubusercontent.com), which refuses any
   * `Authorization` header (oven-sh/bun#31347). A write's redirect is returned as it is.
   */
  private async follow(url: string, init: RetryInit, auth: Record<string, string>, step: RetryStep, foreign: WeakSet<HttpAnswer>) {
    const read = init.method === 'GET' || init.method === 'HEAD';
    let target = url;
    for (let hops = 0; ; hops++) {
      const own = new URL(target).origin === new URL(this.base).origin;
      step.label = `${init.method ?? 'GET'} ${target.replace(/\?.*$/, '')}`;
      const headers = { ...(init.headers as Record<string, string>), ...(own ? auth : {}) };
      const res = await requestOnce(target, { ...init, headers }, this.retry);
      if (!own) foreign.add(res);
      const location = res.headers.get('location');
      if (!read || !REDIRECTS.has(res.status) || !location) return res;
      await res.body?.cancel();
      if (hops === MAX_REDIRECTS) throw new RegistryError(res.status, `more than ${MAX_REDIRECTS} redirects`, step.label);
      target = new URL(location, target).href;
    }
  }
}
