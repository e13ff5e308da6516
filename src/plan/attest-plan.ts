import { ActionError, type GitHubContext } from '../runner/index.js';
import type { Mode, PushMode } from './plan.js';

/** Which Sigstore instance signs: the public-good one for a public repository, GitHub's for the others. */
export type SigstoreInstance = 'public-good' | 'github';

/** What `attest: true` does in this run, decided before anything runs. */
export interface AttestPlan {
  /**
   * What is signed: the published digest, and the platform images of an index this run built
   * (`published and platforms`); nothing when the run publishes nothing new.
   */
  sign: 'none' | 'published' | 'published and platforms';
  /** What is signed, or why nothing is, in words. */
  what: string;
  instance: SigstoreInstance;
  /** Why that instance, in words. */
  why: string;
  /** A promote into another repository: the repository whose attached attestations go along. */
  carryFrom?: string;
}

export interface AttestFacts {
  mode: Mode;
  push: PushMode;
  /** Why nothing is pushed (a read-only token and no PAT), when so. */
  skipped?: string;
  /** The image's path, and a promote's source path. */
  path: string;
  promotePath?: string;
  multiPlatform: boolean;
}

/** What an `attest: true` run signs, with which instance; undefined when `attest` is false. */
export function attestPlan(attest: boolean, facts: AttestFacts, ctx: GitHubContext): AttestPlan | undefined {
  if (!attest) return undefined;
  // As @actions/attest decides by default (its endpoints.ts): only a repository the payload calls public signs in public.
  const publicRepo = ctx.visibility === 'public';
  const base = {
    instance: publicRepo ? ('public-good' as const) : ('github' as const),
    why: publicRepo
      ? "Sigstore's public-good instance: a public repository (the signature goes to its public transparency log)"
      : `GitHub's Sigstore instance: ${ctx.visibility ? `${ctx.visibility === 'internal' ? 'an' : 'a'} ${ctx.visibility}` : 'the event payload does not say that it is a public'} repository (a signed timestamp, no public log)`,
  };
  if (facts.push === 'none') return { ...base, sign: 'none', what: 'nothing: push is false, so nothing is published to attest' };
  if (facts.skipped !== undefined) return { ...base, sign: 'none', what: 'nothing: this run pushes nothing (see push)' };
  if (facts.mode === 'promote') {
    const across = facts.promotePath !== undefined && facts.promotePath !== facts.path;
    return {
      ...base,
      sign: 'none',
      what: `nothing new: a promote keeps the digest, so its attestations still hold${across ? `; those attached to it in ${facts.promotePath} are copied along` : ''}`,
      carryFrom: across ? facts.promotePath : undefined,
    };
  }
  const stored = "stored with GitHub's attestations API and attached to the image in the registry";
  if (facts.mode === 'merge')
    return { ...base, sign: 'published', what: `the merged index (its platform jobs attested their images), ${stored}` };
  if (facts.push === 'by-digest')
    return { ...base, sign: 'published and platforms', what: `the platform image this job pushes for the merge job, ${stored}` };
  return {
    ...base,
    sign: 'published and platforms',
    what: `${facts.multiPlatform ? 'the published index and each platform image' : 'the published image'}, ${stored}`,
  };
}

/** The plan's attest, as lines for people: what is signed and with which instance, or why nothing is. */
export function attestLines(attest: AttestPlan): string[] {
  return attest.sign === 'none' ? [attest.what] : [`SLSA v1 build provenance of ${attest.what}`, `signed with ${attest.why}`];
}

/** The `permissions:` a job with `attest: true` needs, as the lines to paste. */
export const ATTEST_PERMISSIONS = [
  'permissions:',
  '  contents: read',
  '  packages: write',
  "  id-token: write      # signs with the job's OIDC token",
  "  attestations: write  # stores the attestation with GitHub's attestations API",
];

/** Signing needs the job's OIDC token: without `id-token: write` the run stops before anything is built. */
export function checkAttestPermission(attest: AttestPlan | undefined, ctx: GitHubContext): void {
  if (!attest || attest.sign === 'none' || ctx.idToken) return;
  throw new ActionError(
    "signs the build provenance with the job's OIDC token, and this job may not ask for one (ACTIONS_ID_TOKEN_REQUEST_URL is not set): its permissions lack id-token: write. Nothing was built or pushed.",
    `Give the job these permissions:\n${ATTEST_PERMISSIONS.join('\n')}`,
    'attest',
  );
}
