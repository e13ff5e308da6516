import type { Credential } from '../src/plan/credentials.js';
import { type Descriptor, type Manifest, declaredMediaType, refName, sha256Digest } from '../src/registry/manifest-tree.js';
import { type BlobBody, type RegistryClient, RegistryError } from '../src/registry/registry-client.js';
import type { ImageSet } from './oci-image.js';

/** The public methods of RegistryClient that the executors, pushLayout and copyImage call. */
type ClientApi = Pick<
  RegistryClient,
  | 'checkPush'
  | 'manifest'
  | 'findManifest'
  | 'putManifest'
  | 'putReferrer'
  | 'referrers'
  | 'blobExists'
  | 'blob'
  | 'openBlob'
  | 'uploadBlob'
  | 'mountBlob'
>;
export type Method = keyof ClientApi;
/** Who makes a call: the credential's source, or anonymous. */
export type Who = 'github-token' | 'pat' | 'anonymous';

export interface RegistryCall {
  method: Method;
  repo: string;
  /** A tag or digest (manifests), a digest (blobs). */
  reference?: string;
  /** The source repository of a mount. */
  from?: string;
  who: Who;
}

interface Repo {
  blobs: Map<string, Buffer>;
  manifests: Map<string, Manifest>;
  tags: Map<string, string>;
}

interface Fault {
  match: (call: RegistryCall) => boolean;
  error: (call: RegistryCall) => Error;
  times: number;
}

const DENIED = 'denied: permission_denied: write_package';

/**
 * A registry in memory behind RegistryClient's methods, with the same answers and errors
 * (RegistryError with the status and the registry's words). Every call is counted; pushes can be
 * refused per credential, any call made to fail, and hooks run after a call is served (before its
 * caller resumes) to play another publisher racing this one.
 */
export class MemoryRegistry {
  readonly calls: RegistryCall[] = [];
  /** Bytes received by blob uploads; mounts and the engine's pushes are not uploads of the action. */
  uploadedBytes = 0;
  /** References pushed by the fake engine (`docker push`), not through a client. */
  readonly enginePushes: string[] = [];
  private readonly repos = new Map<string, Repo>();
  private readonly refused = new Set<Who>();
  private readonly unreadable = new Set<string>();
  private readonly faults: Fault[] = [];
  private mountsDeclined = false;
  /** The registry's documented limits, as the real client is given them. */
  readonly limits: RegistryClient['limits'] = {};
  private referrersApi = false;
  private readonly afterHooks: ((call: RegistryCall) => void | Promise<void>)[] = [];

  constructor(
    readonly host = 'ghcr.io',
    private readonly journal: string[] = [],
  ) {}

  /** The client one credential gets (as `deps.registry`). */
  client(credential?: Credential): RegistryClient {
    const who: Who = credential?.source ?? 'anonymous';
    const api: ClientApi = {
      checkPush: (repo) => this.serve({ method: 'checkPush', repo, who }, () => this.mayPush(who, 'starting an upload')),
      manifest: (repo, ref) =>
        this.serve({ method: 'manifest', repo, reference: ref, who }, () => this.readManifest(repo, ref, true) as Manifest),
      findManifest: (repo, ref) =>
        this.serve({ method: 'findManifest', repo, reference: ref, who }, () => this.readManifest(repo, ref, false)),
      putManifest: (repo, ref, m) =>
        this.serve({ method: 'putManifest', repo, reference: ref, who }, () => this.storeManifest(who, repo, ref, m)),
      putReferrer: (repo, m) =>
        this.serve({ method: 'putReferrer', repo, reference: sha256Digest(m.body), who }, () => ({
          digest: this.storeManifest(who, repo, sha256Digest(m.body), m),
          indexed: this.referrersApi,
        })),
      referrers: (repo, digest) =>
        this.serve({ method: 'referrers', repo, reference: digest, who }, () =>
          this.referrersApi ? this.referrersOf(repo, digest) : undefined,
        ),
      blobExists: (repo, digest) =>
        this.serve({ method: 'blobExists', repo, reference: digest, who }, () => this.readable(repo) && this.repo(repo).blobs.has(digest)),
      blob: (repo, digest) => this.serve({ method: 'blob', repo, reference: digest, who }, () => this.readBlob(repo, digest)),
      openBlob: (repo, digest) =>
        this.serve({ method: 'openBlob', repo, reference: digest, who }, () => {
          const bytes = this.readBlob(repo, digest);
          return new Blob([new Uint8Array(bytes)]).stream();
        }),
      uploadBlob: (repo, digest, size, open) =>
        this.serve({ method: 'uploadBlob', repo, reference: digest, who }, () => this.upload(who, repo, digest, size, open)),
      mountBlob: (repo, digest, from) =>
        this.serve({ method: 'mountBlob', repo, reference: digest, from, who }, () => this.mount(who, repo, digest, from)),
    };
    return { ...api, host: this.host, limits: this.limits } as unknown as RegistryClient;
  }

  // ---- the test's controls

  /** Pushes with this credential (or every one) are refused with 403, as ghcr.io refuses a token without write access. */
  refusePush(who: Who | 'all'): void {
    for (const w of who === 'all' ? (['github-token', 'pat', 'anonymous'] as const) : [who]) this.refused.add(w);
  }

  /** Reads of `repo` are refused with 403, and mounts from it are declined. */
  denyRead(repo: string): void {
    this.unreadable.add(repo);
  }

  /** Serves the OCI referrers API (and says so with OCI-Subject), as registries of distribution spec 1.1 do; off, as on ghcr.io. */
  serveReferrers(): void {
    this.referrersApi = true;
  }

  /** Cross-repository mounts are declined (202, an upload session instead), as when the credential may not read the source. */
  declineMounts(): void {
    this.mountsDeclined = true;
  }

  /** The next `times` calls that match fail with `error` (default: a 503) before they are served. */
  fail(match: Partial<RegistryCall> | ((call: RegistryCall) => boolean), error?: Error | ((call: RegistryCall) => Error), times = 1): void {
    const test =
      typeof match === 'function' ? match : (c: RegistryCall) => Object.entries(match).every(([k, v]) => c[k as keyof RegistryCall] === v);
    const make =
      error === undefined
        ? (c: RegistryCall) => new RegistryError(503, 'Service Unavailable', `${c.method} ${c.repo}`)
        : error instanceof Error
          ? () => error
          : error;
    this.faults.push({ match: test, error: make, times });
  }

  /** Runs after every served call, before its caller resumes. */
  after(hook: (call: RegistryCall) => void | Promise<void>): void {
    this.afterHooks.push(hook);
  }

  /** Stores an image directly (as another publisher or an earlier run would have), optionally under a tag; its digest. */
  seed(repo: string, image: ImageSet, tag?: string): string {
    const r = this.repo(repo);
    for (const blob of image.blobs) r.blobs.set(sha256Digest(blob), Buffer.from(blob));
    for (const m of [...image.children, image.top]) r.manifests.set(m.digest, copy(m));
    if (tag) r.tags.set(tag, image.top.digest);
    return image.top.digest;
  }

  /** The engine's `docker push` of `reference` (`host/repo:tag`). */
  enginePush(reference: string, image: ImageSet): string {
    const name = reference.slice(this.host.length + 1);
    const at = name.lastIndexOf(':');
    this.enginePushes.push(reference);
    this.journal.push(`registry enginePush ${reference}`);
    return this.seed(name.slice(0, at), image, name.slice(at + 1));
  }

  // ---- what the registry holds, read without a call

  tagged(repo: string, tag: string): string | undefined {
    return this.repos.get(repo)?.tags.get(tag);
  }

  tagsOf(repo: string): Record<string, string> {
    return Object.fromEntries(this.repos.get(repo)?.tags ?? []);
  }

  hasManifest(repo: string, digest: string): boolean {
    return this.repos.get(repo)?.manifests.has(digest) ?? false;
  }

  hasBlob(repo: string, digest: string): boolean {
    return this.repos.get(repo)?.blobs.has(digest) ?? false;
  }

  /** The parsed manifest a tag or digest names. */
  json<T = Record<string, unknown>>(repo: string, reference: string): T {
    const m = this.readManifest(repo, reference, true) as Manifest;
    return JSON.parse(m.body.toString('utf8')) as T;
  }

  /** A blob (an image config) parsed as JSON. */
  blobJson<T = Record<string, unknown>>(repo: string, digest: string): T {
    return JSON.parse(this.readBlob(repo, digest).toString('utf8')) as T;
  }

  /** Every repository's tags, manifests and blobs, as one comparable text. */
  snapshot(): string {
    const repos = [...this.repos].sort(([a], [b]) => a.localeCompare(b));
    return JSON.stringify(repos.map(([name, r]) => [name, [...r.tags].sort(), [...r.manifests.keys()].sort(), [...r.blobs.keys()].sort()]));
  }

  count(method: Method, match: Partial<RegistryCall> = {}): number {
    return this.callsOf(method, match).length;
  }

  callsOf(method: Method, match: Partial<RegistryCall> = {}): RegistryCall[] {
    return this.calls.filter((c) => c.method === method && Object.entries(match).every(([k, v]) => c[k as keyof RegistryCall] === v));
  }

  /** The calls that change what the registry holds. */
  writes(since = 0): RegistryCall[] {
    return this.calls.slice(since).filter((c) => c.method === 'putManifest' || c.method === 'uploadBlob' || c.method === 'mountBlob');
  }

  // ---- serving

  private async serve<T>(call: RegistryCall, work: () => T | Promise<T>): Promise<T> {
    this.calls.push(call);
    this.journal.push(`registry ${call.method} ${call.reference ? refName(call.repo, call.reference) : call.repo}`);
    const fault = this.faults.find((f) => f.times > 0 && f.match(call));
    if (fault) {
      fault.times -= 1;
      throw fault.error(call);
    }
    const value = await work();
    for (const hook of this.afterHooks) await hook(call);
    return value;
  }

  private repo(name: string): Repo {
    let r = this.repos.get(name);
    if (!r) {
      r = { blobs: new Map(), manifests: new Map(), tags: new Map() };
      this.repos.set(name, r);
    }
    return r;
  }

  private mayPush(who: Who, step: string): void {
    if (this.refused.has(who)) throw new RegistryError(403, DENIED, step);
  }

  private readable(repo: string): boolean {
    if (this.unreadable.has(repo)) throw new RegistryError(403, 'denied: permission_denied: read_package', `reading ${repo}`);
    return true;
  }

  private readManifest(repo: string, reference: string, required: boolean): Manifest | undefined {
    this.readable(repo);
    const r = this.repos.get(repo);
    const digest = reference.startsWith('sha256:') ? reference : r?.tags.get(reference);
    const found = digest ? r?.manifests.get(digest) : undefined;
    if (found) return copy(found);
    if (!required) return undefined;
    throw new RegistryError(404, 'manifest_unknown: manifest unknown', `reading the manifest ${refName(repo, reference)}`);
  }

  /** The referrers API's answer: every manifest of the repository whose subject is `digest`. */
  private referrersOf(repo: string, digest: string): Descriptor[] {
    this.readable(repo);
    return [...(this.repos.get(repo)?.manifests.values() ?? [])].flatMap((m) => {
      const json = JSON.parse(m.body.toString('utf8')) as {
        subject?: { digest: string };
        artifactType?: string;
        annotations?: Record<string, string>;
      };
      if (json.subject?.digest !== digest) return [];
      return [
        { mediaType: m.mediaType, digest: m.digest, size: m.body.length, artifactType: json.artifactType, annotations: json.annotations },
      ];
    });
  }

  private readBlob(repo: string, digest: string): Buffer {
    this.readable(repo);
    const blob = this.repos.get(repo)?.blobs.get(digest);
    if (!blob) throw new RegistryError(404, 'blob_unknown: blob unknown to registry', `reading ${refName(repo, digest)}`);
    return Buffer.from(blob);
  }

  /** As a Distribution registry: what a manifest refers to must be in the repository already. */
  private storeManifest(who: Who, repo: string, reference: string, manifest: { body: Buffer; mediaType: string }): string {
    const digest = sha256Digest(manifest.body);
    const name = refName(repo, reference);
    if (reference.startsWith('sha256:') && reference !== digest)
      throw new Error(`Cannot store ${name}: the manifest's digest is ${digest}.`);
    this.mayPush(who, `storing the manifest ${name}`);
    const r = this.repo(repo);
    const parsed = JSON.parse(manifest.body.toString('utf8')) as {
      manifests?: { digest: string }[];
      config?: { digest: string };
      layers?: { digest: string }[];
    };
    if (parsed.manifests) {
      const missing = parsed.manifests.find((m) => !r.manifests.has(m.digest));
      if (missing)
        throw new RegistryError(400, `manifest_blob_unknown: blob unknown to registry: ${missing.digest}`, `storing the manifest ${name}`);
    } else {
      if (!parsed.config) throw new RegistryError(400, 'manifest_invalid: manifest invalid', `storing the manifest ${name}`);
      const missing = [parsed.config, ...(parsed.layers ?? [])].find((b) => !r.blobs.has(b.digest));
      if (missing)
        throw new RegistryError(400, `manifest_blob_unknown: blob unknown to registry: ${missing.digest}`, `storing the manifest ${name}`);
    }
    r.manifests.set(digest, {
      digest,
      mediaType: manifest.mediaType || declaredMediaType(manifest.body),
      body: Buffer.from(manifest.body),
    });
    if (!reference.startsWith('sha256:')) r.tags.set(reference, digest);
    return digest;
  }

  private async upload(who: Who, repo: string, digest: string, size: number, open: () => BlobBody | Promise<BlobBody>): Promise<void> {
    this.mayPush(who, `starting an upload to ${repo}`);
    const source = await open();
    let bytes: Buffer;
    if (Buffer.isBuffer(source)) bytes = source;
    else {
      const chunks: Buffer[] = [];
      for await (const chunk of source as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
      bytes = Buffer.concat(chunks);
    }
    const phase = `uploading ${digest} (${size} bytes) to ${repo}`;
    if (bytes.length !== size) throw new RegistryError(400, 'size_invalid: provided length did not match content length', phase);
    if (sha256Digest(bytes) !== digest)
      throw new RegistryError(400, 'digest_invalid: provided digest did not match uploaded content', phase);
    this.uploadedBytes += bytes.length;
    this.repo(repo).blobs.set(digest, bytes);
  }

  private mount(who: Who, repo: string, digest: string, from: string): boolean {
    this.mayPush(who, `mounting ${digest} from ${from} into ${repo}`);
    const blob = this.mountsDeclined || this.unreadable.has(from) ? undefined : this.repos.get(from)?.blobs.get(digest);
    if (!blob) return false;
    this.repo(repo).blobs.set(digest, blob);
    return true;
  }
}

function copy(m: Manifest): Manifest {
  return { ...m, body: Buffer.from(m.body) };
}
