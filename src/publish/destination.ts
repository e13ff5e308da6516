import type { Credential, Plan } from '../plan/index.js';
import type { RegistryClient, RegistryType } from '../registry/index.js';

/** One registry and repository the image goes to, with the client that pushes there. */
export interface Destination {
  /** The registry's host as names show it (`ghcr.io`, `docker.io`). */
  registry: string;
  registryType: RegistryType;
  path: string;
  /** `registry/path`. */
  imageName: string;
  client: RegistryClient;
  /** Who pushes there, as messages and the summary name it. */
  pusher: string;
}

/** The step's own registry and image, pushed to with the credential the push check chose. */
export function mainDestination(plan: Plan, client: RegistryClient, credential: Credential): Destination {
  return {
    registry: plan.registry,
    registryType: plan.registryType,
    path: plan.path,
    imageName: plan.imageName,
    client,
    pusher: `${credential.label} as ${credential.username}`,
  };
}
