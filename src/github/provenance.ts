import { X509Certificate } from 'node:crypto';
import type { SigstoreInstance } from '../plan/index.js';
import { inParallel, type RetryPolicy } from '../registry/index.js';
import type { GitHubContext } from '../runner/index.js';
import { type Octokit, apiError, loadOctokit } from './github-api.js';

/** What is signed: an image's name (`registry/path`) and a manifest digest. */
export interface ProvenanceSubject {
  name: string;
  digest: string;
}

export interface SignedProvenance {
  subject: ProvenanceSubject;
  /** The Sigstore bundle's JSON. */
  bundle: Buffer;
  predicateType: string;
  /** Who signed, as the certificate names it (its SAN): the workflow file at its ref, what verifiers match. */
  identity: string;
  signedAt: Date;
}

/** GitHub's artifact attestations: SLSA provenance signed with Sigstore, and GitHub's API that keeps them. */
export interface Attestor {
  /** One SLSA v1 build provenance statement per subject, each signed through the job's OIDC token. */
  sign(subjects: ProvenanceSubject[], instance: SigstoreInstance): Promise<SignedProvenance[]>;
  /** Stores a bundle with the repository's attestations API; its id. Throws a GitHubApiError. */
  store(bundle: Buffer): Promise<string>;
}

/** Signatures made at once: each is a certificate from Fulcio and a log entry or timestamp. */
const PARALLEL_SIGNING = 4;

/**
 * The attestations of the workflow's own repository (GITHUB_REPOSITORY, the repository the job's
 * token and OIDC identity are for). @actions/attest is loaded on the first signature, so a run
 * without `attest` never loads it; it signs only, and the API store is this module's, so a refused
 * store costs no signature.
 */
export function createAttestor(ctx: GitHubContext, token: string, retry: RetryPolicy): Attestor {
  let octokit: Promise<Octokit> | undefined;
  return {
    async sign(subjects, instance) {
      const { attest, buildSLSAProvenancePredicate } = await import('@actions/attest');
      // The workflow's claims, read once from an OIDC token @actions/attest verifies against the issuer's keys.
      const predicate = await buildSLSAProvenancePredicate();
      const signed: SignedProvenance[] = [];
      await inParallel([...subjects.keys()], PARALLEL_SIGNING, async (i) => {
        const subject = subjects[i];
        const attestation = await attest({
          subjects: [inTotoSubject(subject)],
          predicateType: predicate.type,
          predicate: predicate.params,
          token,
          sigstore: instance,
          skipWrite: true,
        });
        signed[i] = {
          subject,
          bundle: Buffer.from(JSON.stringify(attestation.bundle)),
          predicateType: predicate.type,
          identity: certificateIdentity(attestation.certificate),
          signedAt: new Date(),
        };
      });
      return signed;
    },
    async store(bundle) {
      const [owner, repo] = ctx.repository.split('/');
      try {
        const client = await (octokit ??= loadOctokit(ctx.apiUrl, token, retry));
        const res = await client.request('POST /repos/{owner}/{repo}/attestations', {
          owner,
          repo,
          bundle: JSON.parse(bundle.toString('utf8')) as Record<string, unknown>,
        });
        const { id } = res.data as { id?: number | string };
        return id === undefined ? '' : String(id);
      } catch (e) {
        throw apiError(e);
      }
    },
  };
}

/**
 * A subject as the in-toto statement names it: the name lower-case (GitHub's verification and
 * the registry compare lower-case image names, actions/attest#63), the digest by algorithm.
 */
export function inTotoSubject(subject: ProvenanceSubject): { name: string; digest: Record<string, string> } {
  const [algorithm, hex] = subject.digest.split(':');
  return { name: subject.name.toLowerCase(), digest: { [algorithm]: hex } };
}

/** Who signed a Sigstore bundle (v0.3, or older with a chain), and whether its signature is in a public transparency log. */
export function bundleSigner(bundle: Buffer): { identity: string; publicLog: boolean } {
  const json = JSON.parse(bundle.toString('utf8')) as {
    verificationMaterial?: {
      certificate?: { rawBytes?: string };
      x509CertificateChain?: { certificates?: { rawBytes?: string }[] };
      tlogEntries?: unknown[];
    };
  };
  const material = json.verificationMaterial;
  const raw = material?.certificate?.rawBytes ?? material?.x509CertificateChain?.certificates?.[0]?.rawBytes;
  if (!raw) throw new Error('the bundle holds no signing certificate');
  return { identity: certificateIdentity(Buffer.from(raw, 'base64')), publicLog: (material?.tlogEntries?.length ?? 0) > 0 };
}

/** The URI in a signing certificate's subject alternative name: `https://github.com/<job_workflow_ref>` for a GitHub job. */
export function certificateIdentity(certificate: string | Buffer): string {
  const san = new X509Certificate(certificate).subjectAltName ?? '';
  return (
    san
      .split(', ')
      .find((entry) => entry.startsWith('URI:'))
      ?.slice(4) ?? ''
  );
}

/** The OIDC issuer of a server's Actions tokens, as @actions/attest derives it (its oidc.ts). */
export function oidcIssuer(serverUrl: string): string {
  const host = new URL(serverUrl).hostname;
  return `https://token.actions.${host === 'github.com' ? 'githubusercontent.com' : host}`;
}

/** The attestation's page on GitHub. */
export function attestationUrl(ctx: GitHubContext, id: string): string {
  return `${ctx.serverUrl}/${ctx.repository}/attestations/${id}`;
}
