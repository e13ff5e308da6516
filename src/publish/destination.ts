import type { Credential, Plan } from '../plan/index.js';
import type { RegistryClient, RegistryType } from '../registry/index.js';
import type { OtherRegistry } from '../settings/index.js';
import type { RunDeps } from './run-deps.js';

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

/** An `also-push-to` registry, pushed to with its own login. No GitHub rules apply there. */
export function otherDestination(other: OtherRegistry, deps: RunDeps): Destination {
  return {
    registry: other.registry,
    registryType: 'generic',
    path: other.path,
    imageName: other.imageName,
    client: deps.otherRegistry(other),
    pusher: `${other.username} (password from ${other.passwordEnv})`,
  };
}
