export const INDEX = 'application/vnd.oci.image.index.v1+json';
/** What a manifest read accepts (Accept). */
export const MANIFEST_TYPES = [
  INDEX,
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A manifest's bytes as stored, with the digest they hash to. */
export interface Manifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

// node:crypto read on first use: an import would load it in every main step, including one that fails on its inputs.
export const sha256Digest = (bytes: Buffer): string =>
  `sha256:${process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex')}`;

/** `repo:tag` or `repo@sha256:…`, as people write references. */
export const refName = (repository: string, reference: string): string =>
  `${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;

/** What an index or image manifest says about the content it points to (OCI and Docker v2 alike). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

interface ManifestJson {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

/** An index's (or manifest list's) manifests, or an image manifest's config and layers. */
export type Parsed = { kind: 'index'; children: Descriptor[] } | { kind: 'image'; blobs: Descriptor[] };

/** Reads a manifest's bytes; `what` names it in the error when they are not a manifest. */
export function parseManifest(body: Buffer, what: string): Parsed {
  let json: ManifestJson;
  try {
    json = JSON.parse(body.toString('utf8')) as ManifestJson;
  } catch {
    throw new Error(`${what} is not JSON, so not a manifest.`);
  }
  if (Array.isArray(json.manifests)) return { kind: 'index', children: json.manifests };
  if (json.config && Array.isArray(json.layers)) return { kind: 'image', blobs: [json.config, ...json.layers] };
  throw new Error(`${what} is neither an image manifest (config and layers) nor an index (manifests).`);
}

/** The media type a manifest declares, when the transport does not say. */
export function declaredMediaType(body: Buffer): string {
  try {
    return (JSON.parse(body.toString('utf8')) as ManifestJson).mediaType ?? '';
  } catch {
    return '';
  }
}

/**
 * Runs `work` over `items`, at most `limit` at a time. After a failure no further item starts;
 * the first failure is thrown once the running ones have settled.
 */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++];
      await work(item).catch((e: unknown) => errors.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}

/** Descriptors with distinct digests, first seen first: platforms often share a layer. */
export function distinct(descriptors: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return descriptors.filter((d) => !seen.has(d.digest) && seen.add(d.digest));
}
