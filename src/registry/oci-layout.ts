import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { BlobMove, ImageOrigin } from './image-transfer.js';
import { type Descriptor, type Manifest, declaredMediaType, sha256Digest } from './manifest-tree.js';
import type { RegistryClient } from './registry-client.js';

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

/** A build's OCI layout as the origin of an image: manifests read from disk, blobs streamed from their files. */
export function layoutOrigin(layoutDir: string): ImageOrigin {
  return {
    name: layoutDir,
    manifest: async (child) => readManifest(layoutDir, child),
    sendBlob: (blob, to, repo) => uploadFromLayout(layoutDir, blob, to, repo),
  };
}

async function uploadFromLayout(layoutDir: string, blob: Descriptor, to: RegistryClient, repo: string): Promise<BlobMove> {
  const file = blobPath(layoutDir, blob.digest);
  const size = await stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  // A foreign (non-distributable) layer lives at its `urls`, not in the layout nor the registry.
  if (size === undefined && blob.urls?.length) return 'foreign';
  if (size === undefined)
    throw new Error(`The OCI layout ${layoutDir} lacks the blob ${blob.digest}: the export is incomplete; build again.`);
  if (size !== blob.size)
    throw new Error(`${file} holds ${size} bytes, not the ${blob.size} its manifest says: the layout is damaged; build again.`);
  await to.uploadBlob(repo, blob.digest, size, () => createReadStream(file));
  return 'uploaded';
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
