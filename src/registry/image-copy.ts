import type { ImageOrigin } from './image-transfer.js';
import type { RegistryClient } from './registry-client.js';

/**
 * A repository on a registry as the origin of an image: manifests read through `client`; blobs
 * mounted across repositories of the same registry.
 */
export function repositoryOrigin(client: RegistryClient, repo: string): ImageOrigin {
  return {
    name: `${client.host}/${repo}`,
    at: { host: client.host, repo },
    manifest: (child) => client.manifest(repo, child.digest),
    sendBlob: async (blob, to, toRepo) => {
      // A foreign (non-distributable) layer is not in any repository of the registry.
      if (blob.urls?.length) return 'foreign';
      if (await to.mountBlob(toRepo, blob.digest, repo)) return 'mounted';
      throw new Error(
        `The registry refused a cross-repository mount of ${blob.digest} from ${repo} into ${toRepo}, and a promote never uploads layers: give the credential read access to ${repo} (on ghcr.io, add this repository under that package's "Manage Actions access"), or promote an image of ${toRepo}.`,
      );
    },
  };
}
