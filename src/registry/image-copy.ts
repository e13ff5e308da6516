import type { ImageOrigin } from './image-transfer.js';
import type { Descriptor } from './manifest-tree.js';
import { type RegistryClient, RegistryError } from './registry-client.js';

/**
 * A repository on a registry as the origin of an image, read through `client`. A blob goes to
 * another repository of the same registry by a cross-repository mount; to another registry, or
 * where the registry refuses the mount (it may answer 202, an upload session, instead of 201:
 * opencontainers/distribution-spec#204), it is streamed: the source's response body is the
 * upload's request body, so no layer is ever held in memory.
 */
export function repositoryOrigin(client: RegistryClient, repo: string): ImageOrigin {
  return {
    name: `${client.host}/${repo}`,
    at: { host: client.host, repo },
    manifest: (child) => client.manifest(repo, child.digest),
    sendBlob: async (blob, to, toRepo) => {
      // A foreign (non-distributable) layer is not in any repository of a registry.
      if (blob.urls?.length) return 'foreign';
      if (to.host !== client.host) {
        await streamBlob(client, repo, blob, to, toRepo);
        return 'streamed';
      }
      if (await to.mountBlob(toRepo, blob.digest, repo)) return 'mounted';
      await streamBlob(client, repo, blob, to, toRepo).catch((e: unknown) => {
        throw unreadable(e, repo, toRepo, blob) ?? e;
      });
      return 'refused-mount-streamed';
    },
  };
}

/** One blob from `from`'s repository to `to`'s, read and sent as a stream (afresh on each try of the upload). */
export function streamBlob(from: RegistryClient, fromRepo: string, blob: Descriptor, to: RegistryClient, toRepo: string): Promise<void> {
  return to.uploadBlob(toRepo, blob.digest, blob.size, () => from.openBlob(fromRepo, blob.digest));
}

/** A refused mount whose source the credential may not read either: the error says how to grant access. */
function unreadable(e: unknown, fromRepo: string, toRepo: string, blob: Descriptor): Error | undefined {
  if (!(e instanceof RegistryError) || ![401, 403, 404].includes(e.status) || !e.step.startsWith('reading')) return undefined;
  return new Error(
    `The registry refused a cross-repository mount of ${blob.digest} from ${fromRepo} into ${toRepo}, and reading it from ${fromRepo} to stream it failed (${e.message}): give the credential read access to ${fromRepo} (on ghcr.io, add this repository under that package's "Manage Actions access"), or promote an image of ${toRepo}.`,
    { cause: e },
  );
}
