import type { GitHubContext, SecretFiles } from '../runner/index.js';
import type { BuildCache, Docker } from '../docker/index.js';
import type { Credential, Plan } from '../plan/index.js';
import type { Attestor, Handoff, PackageLink } from '../github/index.js';
import type { RegistryClient } from '../registry/index.js';
import type { BuildSecret, OtherRegistry } from '../settings/index.js';
import type { Delivery } from './publisher.js';

/** The world as the executors need it; main.ts passes the real one, tests their own. */
export interface RunDeps {
  ctx: GitHubContext;
  docker: Docker;
  /** The run's registry port: one client per credential, so each registry token is asked for once. */
  registry: (credential: Credential | undefined) => RegistryClient;
  /** The client of an `also-push-to` registry, with its own login (sent to that registry and its token service only). */
  otherRegistry: (other: OtherRegistry) => RegistryClient;
  cache: BuildCache;
  handoff: Handoff;
  packageLink: (credential: Credential) => Promise<PackageLink>;
  prune: (plan: Plan, credential: Credential, keep: string[], dryRun: boolean) => Promise<PruneOutcome>;
  /** Signs build provenance and stores it with GitHub (`attest: true`). */
  attestor: Attestor;
  writeSecrets: (secrets: BuildSecret[]) => SecretFiles;
  /** A directory private to this run under RUNNER_TEMP, for the build's OCI layout. */
  makeBuildDir: () => string;
  /** Removes a directory makeBuildDir made, once its image is pushed. */
  removeBuildDir: (dir: string) => void;
  /** What the post step must undo, told as soon as it exists. */
  state: { loggedIn(): void; builder(name: string): void; secretsDir(dir: string): void; buildDir(dir: string): void };
  /** RUNNER_TEMP: the same path in every run, so the build cache's version matches. */
  tempDir: string;
  /**
   * Runs after the image is published to a destination (its tags set and read back), once per
   * registry: the place for what goes with the image on every registry (an attestation).
   */
  afterPublish?: (plan: Plan, delivery: Delivery) => Promise<void>;
}

export interface PruneOutcome {
  deleted: string[];
  warning?: string;
}
