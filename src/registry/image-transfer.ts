import { type Descriptor, type Manifest, declaredMediaType, distinct, inParallel, parseManifest } from './manifest-tree.js';
import type { RegistryClient } from './registry-client.js';
import { refuseOversized } from './registry-limits.js';

/** Requests at once: enough to fill a runner's uplink, few enough for ghcr.io's upload-rate limit. */
const PARALLEL = 4;

/** How a blob reached the target: already there, uploaded from disk, mounted, streamed from another registry or repository. */
export type BlobMove = 'present' | 'uploaded' | 'mounted' | 'streamed' | 'refused-mount-streamed' | 'foreign';

/**
 * Where an image's manifests and blobs are read from: an OCI layout on disk (oci-layout.ts) or a
 * repository on a registry (image-copy.ts). A new kind of source is one more origin.
 */
export interface ImageOrigin {
  /** For messages: the layout's directory, or `host/repository`. */
  readonly name: string;
  /** The registry (canonical host) and repository that hold the image, when it is on one. */
  readonly at?: { host: string; repo: string };
  /** A manifest the image refers to, by its descriptor. */
  manifest(child: Descriptor): Promise<Manifest>;
  /** Puts into `repo` of `to` a blob it lacks, saying how. */
  sendBlob(blob: Descriptor, to: RegistryClient, repo: string): Promise<BlobMove>;
}

export type TransferReport = Record<BlobMove, number>;

/**
 * Makes everything `top` refers to available in `toRepo`: the blobs the target lacks (a few at a
 * time), then platform and attestation manifests by digest, children before the indexes that
 * name them (registries check that they exist). A layer over the target's limit fails before
 * anything is sent. `top` itself is not stored: the caller stores it
 * by digest or under its tags, so its digest is the source's, unchanged.
 */
export async function transferImage(origin: ImageOrigin, top: Manifest, to: RegistryClient, toRepo: string): Promise<TransferReport> {
  const images: Manifest[] = [];
  const indexes: Manifest[] = [];
  const blobs: Descriptor[] = [];
  const walk = async (manifest: Manifest, isTop: boolean): Promise<void> => {
    const parsed = parseManifest(manifest.body, `${manifest.digest} in ${origin.name}`);
    if (parsed.kind === 'index') {
      await inParallel(distinct(parsed.children), PARALLEL, async (child) => {
        const m = await origin.manifest(child);
        await walk({ ...m, mediaType: m.mediaType || child.mediaType || declaredMediaType(m.body) }, false);
      });
    } else {
      blobs.push(...parsed.blobs);
    }
    // An index is listed after its children are: pushed in this order, each finds what it names.
    if (!isTop) (parsed.kind === 'index' ? indexes : images).push(manifest);
  };
  await walk(top, true);
  refuseOversized(to.host, to.limits, distinct(blobs));

  const report: TransferReport = { present: 0, uploaded: 0, mounted: 0, streamed: 0, 'refused-mount-streamed': 0, foreign: 0 };
  await inParallel(distinct(blobs), PARALLEL, async (blob) => {
    const move = (await to.blobExists(toRepo, blob.digest)) ? 'present' : await origin.sendBlob(blob, to, toRepo);
    report[move] += 1;
  });
  await inParallel(once(images), PARALLEL, async (m) => void (await to.putManifest(toRepo, m.digest, m)));
  for (const m of once(indexes)) await to.putManifest(toRepo, m.digest, m);
  return report;
}

/** Each manifest once: platforms of several indexes may be the same. */
function once(manifests: Manifest[]): Manifest[] {
  const seen = new Set<string>();
  return manifests.filter((m) => !seen.has(m.digest) && seen.add(m.digest));
}
