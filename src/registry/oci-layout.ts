import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Descriptor, declaredMediaType, distinct, inParallel, parseManifest } from './manifest-tree.js';
import { type Manifest, type RegistryClient, sha256Digest } from './registry-client.js';

/** Blob uploads at once: enough to fill a runner's uplink, few enough for ghcr.io's upload-rate limit. */
const PARALLEL_UPLOADS = 4;

/**
 * The result of a build exported as an OCI layout (`--output type=oci,dest=DIR,tar=false`): the
 * first manifest `index.json` lists, read from disk and checked against its digest. No network:
 * the digest can be compared with what the registry holds before anything is pushed.
 */
export function layoutResult(layoutDir: string): Manifest {
  const file = path.join(layoutDir, 'index.json');
  let index: { manifests?: Descriptor[] };
  try {
    index = JSON.parse(readFileSync(file, 'utf8')) as typeof index;
  } catch (e) {
    throw new Error(`Cannot read the build's OCI layout: ${file}: ${(e as Error).message}.`, { cause: e });
  }
  const top = index.manifests?.[0];
  if (!top) throw new Error(`${file} lists no manifest: the build exported nothing.`);
  return readManifest(layoutDir, top);
}

/**
 * Pushes everything a build's OCI layout holds for its result: the blobs the registry lacks
 * (streamed from disk, a few at a time), the platform and attestation manifests by digest, then
 * the result under `topReference` (a tag) or, without one, its digest. Returns the result.
 */
export async function pushLayout(client: RegistryClient, repository: string, layoutDir: string, topReference?: string): Promise<Manifest> {
  const top = layoutResult(layoutDir);
  const images: Manifest[] = [];
  const indexes: Manifest[] = [];
  const blobs: Descriptor[] = [];
  const walk = (manifest: Manifest, isTop: boolean): void => {
    const parsed = parseManifest(manifest.body, `${manifest.digest} in ${layoutDir}`);
    if (parsed.kind === 'index') {
      for (const child of distinct(parsed.children)) walk(readManifest(layoutDir, child), false);
    } else {
      blobs.push(...parsed.blobs);
    }
    // Children before the index that names them: registries check that an index's manifests exist.
    if (!isTop) (parsed.kind === 'index' ? indexes : images).push(manifest);
  };
  walk(top, true);

  await inParallel(distinct(blobs), PARALLEL_UPLOADS, (blob) => uploadIfMissing(client, repository, layoutDir, blob));
  await inParallel(images, PARALLEL_UPLOADS, async (m) => void (await client.putManifest(repository, m.digest, m)));
  for (const m of indexes) await client.putManifest(repository, m.digest, m);
  await client.putManifest(repository, topReference ?? top.digest, top);
  return top;
}

async function uploadIfMissing(client: RegistryClient, repository: string, layoutDir: string, blob: Descriptor): Promise<void> {
  if (await client.blobExists(repository, blob.digest)) return;
  const file = blobPath(layoutDir, blob.digest);
  const size = await stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  // A foreign (non-distributable) layer lives at its `urls`, not in the layout nor the registry.
  if (size === undefined && blob.urls?.length) return;
  if (size === undefined)
    throw new Error(`The OCI layout ${layoutDir} lacks the blob ${blob.digest}: the export is incomplete; build again.`);
  if (size !== blob.size)
    throw new Error(`${file} holds ${size} bytes, not the ${blob.size} its manifest says: the layout is damaged; build again.`);
  await client.uploadBlob(repository, blob.digest, size, () => createReadStream(file));
}

function readManifest(layoutDir: string, descriptor: Descriptor): Manifest {
  let body: Buffer;
  try {
    body = readFileSync(blobPath(layoutDir, descriptor.digest));
  } catch (e) {
    throw new Error(`The OCI layout ${layoutDir} lacks the manifest ${descriptor.digest}: ${(e as Error).message}.`, { cause: e });
  }
  if (sha256Digest(body) !== descriptor.digest)
    throw new Error(`The manifest ${descriptor.digest} in ${layoutDir} does not match its digest: the layout is damaged; build again.`);
  return { digest: descriptor.digest, mediaType: descriptor.mediaType || declaredMediaType(body), body };
}

function blobPath(layoutDir: string, digest: string): string {
  const m = digest.match(/^(sha256):([a-f0-9]{64})$/);
  if (!m) throw new Error(`"${digest}" in ${layoutDir} is not a sha256 digest.`);
  return path.join(layoutDir, 'blobs', m[1], m[2]);
}
