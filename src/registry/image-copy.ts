import { type Descriptor, declaredMediaType, distinct, inParallel, parseManifest } from './manifest-tree.js';
import { type Manifest, type RegistryClient, refName } from './registry-client.js';

/** Requests at once per level of an index: platforms in parallel, and blobs within each. */
const PARALLEL = 4;

/**
 * Makes an image the registry holds in `from.repo` available in `toRepo` without moving a layer:
 * config and layers are mounted across repositories, platform (and attestation) manifests are
 * stored by digest. The top manifest is returned, not stored: the caller tags it, so its digest
 * is the source's, unchanged. Within one repository there is nothing to copy.
 */
export async function copyImage(client: RegistryClient, from: { repo: string; reference: string }, toRepo: string): Promise<Manifest> {
  const top = await client.manifest(from.repo, from.reference);
  if (toRepo === from.repo) return top;
  const mounts = new Map<string, Promise<void>>();
  const mount = (blob: Descriptor): Promise<void> => {
    // Platforms share layers: each blob is asked about once.
    if (!mounts.has(blob.digest)) mounts.set(blob.digest, mountIfMissing(client, from.repo, toRepo, blob));
    return mounts.get(blob.digest) as Promise<void>;
  };
  const copy = async (manifest: Manifest, isTop: boolean): Promise<void> => {
    const parsed = parseManifest(manifest.body, refName(from.repo, manifest.digest));
    if (parsed.kind === 'index') {
      await inParallel(distinct(parsed.children), PARALLEL, async (child) => {
        const m = await client.manifest(from.repo, child.digest);
        await copy({ ...m, mediaType: m.mediaType || child.mediaType || declaredMediaType(m.body) }, false);
      });
    } else {
      await inParallel(distinct(parsed.blobs), PARALLEL, mount);
    }
    if (!isTop) await client.putManifest(toRepo, manifest.digest, manifest);
  };
  await copy(top, true);
  return top;
}

async function mountIfMissing(client: RegistryClient, fromRepo: string, toRepo: string, blob: Descriptor): Promise<void> {
  // A foreign (non-distributable) layer is not in any repository of the registry.
  if (blob.urls?.length) return;
  if (await client.blobExists(toRepo, blob.digest)) return;
  if (await client.mountBlob(toRepo, blob.digest, fromRepo)) return;
  throw new Error(
    `The registry refused a cross-repository mount of ${blob.digest} from ${fromRepo} into ${toRepo}, and a promote never uploads layers: give the credential read access to ${fromRepo} (on ghcr.io, add this repository under that package's "Manage Actions access"), or promote an image of ${toRepo}.`,
  );
}
