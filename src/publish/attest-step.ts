import { type SignedProvenance, apiError, attestationUrl, bundleSigner, oidcIssuer } from '../github/index.js';
import type { AttestPlan, Plan } from '../plan/index.js';
import {
  type Descriptor,
  type RepositoryAt,
  attachBundle,
  carryReferrers,
  inParallel,
  parseManifest,
  referrersOf,
  referrersTag,
} from '../registry/index.js';
import { ActionError, core, type GitHubContext, info } from '../runner/index.js';
import type { Destination } from './destination.js';
import type { Delivery } from './publisher.js';
import type { RunDeps } from './run-deps.js';

/** What `attest: true` did, for the outputs and the summary. */
export interface AttestResult {
  /** The page on GitHub of the attestation of the published digest; '' when none was stored. */
  url: string;
  /** What was signed, stored and attached, or why nothing was. */
  lines: string[];
  /** Commands that verify the published digest. */
  verify: string[];
}

/** `attest: true` for one run: the publisher's step after each destination, and what it did. */
export interface Attesting {
  afterPublish(plan: Plan, delivery: Delivery): Promise<void>;
  result(): AttestResult | undefined;
}

const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/**
 * On the step's own registry: signs SLSA provenance of the published digest (and of the platform
 * images of an index this run built), stores each with GitHub's attestations API (a refusal is a
 * warning) and attaches it to its image; a promote signs nothing, and across repositories copies
 * what is attached to the image; an image already published and attested is left as it is. On
 * every other registry: what is attached to the image on the step's own goes along.
 */
export function attesting(deps: RunDeps): Attesting {
  let main: { at: RepositoryAt; digests: string[]; result: AttestResult } | undefined;
  const elsewhere: string[] = [];
  return {
    async afterPublish(plan, { dest, digest, alreadyHeld }) {
      if (!plan.attest) return;
      if (dest.registry === plan.registry && dest.path === plan.path) {
        const digests = (await imageManifests(dest, digest)).map((d) => d.digest);
        main = { at: { client: dest.client, repo: dest.path }, digests, result: await attestMain(plan, deps, dest, digest, alreadyHeld) };
        return;
      }
      // The step's own registry comes first: a run that failed there fails as a whole.
      if (!main) return;
      const { at, digests } = main;
      const carried = await carryReferrers(at, { client: dest.client, repo: dest.path }, digests).catch((e: Error) => {
        throw new ActionError(
          `${dest.imageName} holds the image, but copying its attestations there from ${plan.imageName} failed: ${e.message}`,
          'Re-run the job: the image is not pushed twice, and the attestations are copied again.',
          'attest',
        );
      });
      elsewhere.push(`${carried} attached manifest(s) copied to ${dest.imageName}`);
    },
    result: () => main && { ...main.result, lines: [...main.result.lines, ...elsewhere] },
  };
}

async function attestMain(plan: Plan, deps: RunDeps, dest: Destination, digest: string, alreadyHeld: boolean): Promise<AttestResult> {
  const image = `${dest.imageName}@${digest}`;
  const report = (attested: AttestResult): AttestResult => {
    if (attested.verify.length > 0) info(`Verify ${image} with:`);
    for (const command of attested.verify) info(`  ${command}`);
    return attested;
  };
  const a = plan.attest as AttestPlan;
  if (a.sign === 'none' || alreadyHeld) {
    const kept = await keepAttested(plan, deps, dest, image, digest);
    if (a.sign === 'none' || kept.signer) return report(kept.result);
  }
  return report(await signAndAttach(plan, deps, dest, image, digest));
}

/** An image attested before (a promote's, or one already published): what is attached to it, copied along from another repository. */
async function keepAttested(plan: Plan, deps: RunDeps, dest: Destination, image: string, digest: string) {
  const a = plan.attest as AttestPlan;
  const lines = [a.sign === 'none' ? a.what : `${image} was already published`];
  if (a.carryFrom) {
    const from = { client: dest.client, repo: a.carryFrom };
    const digests = (await imageManifests(dest, digest)).map((d) => d.digest);
    const carried = await carryReferrers(from, { client: dest.client, repo: dest.path }, digests).catch((e: Error) => {
      throw new ActionError(
        `${image} is promoted, but copying what is attached to it in ${plan.registry}/${from.repo} (its attestations) failed: ${e.message}`,
        'Re-run the job: the promote is repeated as it was, and the attachments are copied again.',
        'attest',
      );
    });
    lines.push(`${carried} attached manifest(s) copied from ${plan.registry}/${from.repo}`);
  }
  const signer = await attachedSigner(dest, digest);
  const verify = signer ? verifyCommands(deps.ctx, image, signer) : [];
  lines.push(
    signer
      ? `attested by ${signer.identity}${a.sign === 'none' ? '' : ': nothing new is signed'}`
      : 'no provenance attestation is attached to it',
  );
  return { signer, result: { url: '', lines, verify } };
}

/** Signs, stores and attaches the provenance of the published digest and of the platform images of an index this run built. */
async function signAndAttach(plan: Plan, deps: RunDeps, dest: Destination, image: string, digest: string): Promise<AttestResult> {
  const a = plan.attest as AttestPlan;
  const subjects = await subjectsOf(plan, dest, digest);
  const signed = await core
    .group(`Sign the build provenance of ${subjects.length} image(s)`, () =>
      deps.attestor.sign(
        subjects.map((s) => ({ name: dest.imageName, digest: s.digest })),
        a.instance,
      ),
    )
    .catch((e: Error) => {
      throw new ActionError(
        `${image} is published, but signing its build provenance failed: ${e.message}`,
        'Re-run the job: the image is not pushed twice, and the re-run signs and attaches its provenance.',
        'attest',
      );
    });
  const [stored] = await Promise.all([store(plan, deps, signed), attach(dest, image, subjects, signed)]);
  const signer = { identity: signed[0].identity, publicLog: a.instance === 'public-good' };
  info(`Signed the build provenance of ${subjects.length} image(s) as ${signer.identity}; attached in ${dest.registry}.`);
  const url = stored[0] ? attestationUrl(deps.ctx, stored[0]) : '';
  const lines = [
    `SLSA v1 build provenance of ${subjects.map((s) => s.digest).join(', ')}, signed with ${a.why}`,
    `attached to each image in ${dest.imageName}`,
    url ? `stored on GitHub: ${url}` : "not stored with GitHub's attestations API (see the warning)",
  ];
  return { url, lines, verify: verifyCommands(deps.ctx, image, signer) };
}

/** The published digest, and for a run that built an index, its platform images (not BuildKit's attestation manifests). */
async function subjectsOf(plan: Plan, dest: Destination, digest: string): Promise<Descriptor[]> {
  const all = await imageManifests(dest, digest);
  if (plan.attest?.sign !== 'published and platforms') return all.slice(0, 1);
  return all.filter(
    (d, i) => i === 0 || (d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && d.platform?.os !== 'unknown'),
  );
}

/** The image's top manifest and, for an index, the manifests it lists. */
async function imageManifests(dest: Destination, digest: string): Promise<Descriptor[]> {
  const top = await dest.client.manifest(dest.path, digest);
  const parsed = parseManifest(top.body, `${dest.imageName}@${digest}`);
  return [{ mediaType: top.mediaType, digest, size: top.body.length }, ...(parsed.kind === 'index' ? parsed.children : [])];
}

/** Each bundle stored with GitHub's attestations API: its id, or '' where GitHub refused (one warning says why). */
async function store(plan: Plan, deps: RunDeps, signed: SignedProvenance[]): Promise<string[]> {
  const answers = await Promise.all(signed.map((s) => deps.attestor.store(s.bundle).catch((e: unknown) => apiError(e))));
  const failed = answers.filter((a) => typeof a !== 'string');
  if (failed.length > 0) {
    const refused = failed.some((e) => e.status === 403 || e.status === 404);
    core.warning(
      `GitHub's attestations API did not store ${failed.length} of ${signed.length} attestation(s) of ${plan.imageName}: ${failed[0].message}.${
        refused ? " The job's permissions need attestations: write." : ''
      } They are attached to the image in ${plan.registry} all the same, where cosign finds them.`,
    );
  }
  return answers.map((a) => (typeof a === 'string' ? a : ''));
}

/** Each bundle attached to its image; the published digest last, so that its attachment means all were made. */
async function attach(dest: Destination, image: string, subjects: Descriptor[], signed: SignedProvenance[]): Promise<void> {
  const one = async (i: number) => {
    const via = await attachBundle(dest.client, dest.path, subjects[i], signed[i]);
    info(
      `Attached the provenance of ${subjects[i].digest} as ${via.digest} (${via.via === 'tag' ? `tag ${referrersTag(subjects[i].digest)}` : 'referrers API'}).`,
    );
  };
  try {
    await inParallel([...subjects.keys()].slice(1), 4, one);
    await one(0);
  } catch (e) {
    throw new ActionError(
      `${image} is published, but attaching its signed provenance in ${dest.registry} failed: ${(e as Error).message}`,
      'Re-run the job: the image is not pushed twice, and the re-run signs and attaches its provenance.',
      'attest',
    );
  }
}

interface Signer {
  identity: string;
  publicLog: boolean;
}

/**
 * Who signed the provenance attestation attached to the digest already, if one is. Not knowing
 * (the registry would not say) is a warning: it only decides what the summary shows, or that an
 * image already published is signed again.
 */
async function attachedSigner(dest: Destination, digest: string): Promise<Signer | undefined> {
  const { client, path } = dest;
  try {
    const entry = (await referrersOf(client, path, digest)).find(
      (r) => r.annotations?.['dev.sigstore.bundle.predicateType'] === SLSA_PROVENANCE_V1,
    );
    if (!entry) return undefined;
    const manifest = JSON.parse((await client.manifest(path, entry.digest)).body.toString('utf8')) as { layers?: Descriptor[] };
    const layer = manifest.layers?.[0];
    return layer ? bundleSigner(await client.blob(path, layer.digest)) : undefined;
  } catch (e) {
    core.warning(`Could not read what is attached to ${dest.imageName}@${digest}: ${(e as Error).message}.`);
    return undefined;
  }
}

/**
 * `gh attestation verify` (GitHub's API) and `cosign verify-attestation` (the registry alone). A
 * signature without a public log (GitHub's instance) needs GitHub's trusted root and its signed timestamp.
 */
function verifyCommands(ctx: GitHubContext, image: string, signer: Signer): string[] {
  const host = new URL(ctx.serverUrl).hostname;
  const fulcio = `fulcio.${host === 'github.com' ? 'githubapp.com' : host}`;
  const cosign = [
    'cosign verify-attestation --type slsaprovenance1 --new-bundle-format',
    ...(signer.publicLog ? [] : ['--trusted-root github-trusted-root.json --use-signed-timestamps --insecure-ignore-tlog']),
    `--certificate-identity ${signer.identity}`,
    `--certificate-oidc-issuer ${oidcIssuer(ctx.serverUrl)}`,
    image,
  ].join(' ');
  return [
    `gh attestation verify oci://${image} -R ${ctx.repository}`,
    ...(signer.publicLog ? [] : [`gh attestation trusted-root | grep ${fulcio} > github-trusted-root.json`]),
    cosign,
  ];
}
