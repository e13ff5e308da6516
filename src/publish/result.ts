import type { TokenSource, Plan } from '../plan/index.js';
import type { AttestResult } from './attest-step.js';

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
  /** What `attest: true` signed and attached. */
  attestation?: AttestResult;
}

export function emptyResult(plan: Plan): PublishResult {
  return { plan, references: plan.references, digest: '', pushed: false, tokenSource: '', packageUrl: '', pruned: [] };
}
