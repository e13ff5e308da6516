import { allReferences, type TokenSource, type Plan } from '../plan/index.js';
import type { Delivery } from './publisher.js';

/** What a run did, for the outputs and the summary. */
export interface PublishResult {
  plan: Plan;
  /** Every full reference pushed (or built, when nothing was pushed). */
  references: string[];
  /** The digest the registry holds under them; empty when nothing was pushed. */
  digest: string;
  pushed: boolean;
  /** The full version tags already held this very digest: nothing was pushed. */
  alreadyPublished?: boolean;
  /** Why the push was skipped, when it was. */
  skipReason?: string;
  tokenSource: TokenSource | '';
  /** Which credential pushed, as messages name it, and its login. */
  credential?: string;
  packageUrl: string;
  /** Lines about the package's link to its repository, when it was checked. */
  link?: string[];
  /** Digests `prune-untagged` deleted (or, in a dry run, would delete). */
  pruned: string[];
  /** A line per registry the image went to (or, in a dry run, would go to). */
  registries: RegistryLine[];
}

export interface RegistryLine {
  imageName: string;
  /** `pushed`, `already published`, or in a dry run `may push`. */
  state: string;
  /** Who pushes there, as messages name it. */
  pusher: string;
}

/** The result of a publish that reached every destination. */
export function delivered(result: PublishResult, deliveries: Delivery[]): PublishResult {
  const alreadyPublished = deliveries.every((d) => d.alreadyHeld);
  return {
    ...result,
    references: allReferences(result.plan),
    digest: deliveries[0].digest,
    pushed: !alreadyPublished,
    alreadyPublished,
    registries: deliveries.map((d) => ({
      imageName: d.dest.imageName,
      state: d.alreadyHeld ? 'already published' : 'pushed',
      pusher: d.dest.pusher,
    })),
  };
}

export function emptyResult(plan: Plan): PublishResult {
  return { plan, references: plan.references, digest: '', pushed: false, tokenSource: '', packageUrl: '', pruned: [], registries: [] };
}
