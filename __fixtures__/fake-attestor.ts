import type { Attestor, ProvenanceSubject, SignedProvenance } from '../src/github/provenance.js';
import type { SigstoreInstance } from '../src/plan/attest-plan.js';

/**
 * A self-signed certificate whose SAN is the release workflow of Acme/Widget, as Fulcio's names
 * `https://github.com/<job_workflow_ref>`; made with openssl, valid until 2126.
 */
const CERTIFICATE =
  'MIIB4zCCAYmgAwIBAgIUHH46N5bYfwYtve4NeVYMIdPSGaUwCgYIKoZIzj0EAwIwGDEWMBQGA1UECgwNc2lnc3RvcmUudGVzdDAgFw0yNjEyMDcxMTQ1MzhaGA8yMTI2MTExMzExNDUzOFowGDEWMBQGA1UECgwNc2lnc3RvcmUudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEywrbjbOfBS0PbJAEihA8rE4+Og3WgZxMdSnntUDreJBIDBbcz7jdklmz8lEctI90IaQL5vhCnaKtMq7IYHAsyjga4wgaswHQYDVR0OBBYEFE/h4Az2B14LA6TLAs6WF+k8wz+lMB8GA1UdIwQYMBaAFE/h4Az2B14LA6TLAs6WF+k8wz+lMA8GA1UdEwEB/wQFMAMBAf8wWAYDVR0RBFEwT4ZNaHR0cHM6Ly9naXRodWIuY29tL0FjbWUvV2lkZ2V0Ly5naXRodWIvd29ya2Zsb3dzL3JlbGVhc2UueW1sQHJlZnMvdGFncy92MS4yLjMwCgYIKoZIzj0EAwIDSAAwRQIhAKFuFHymCBa662+XV1NUIwPIpAks/C/sOuR4al7Ln7UKAiBVvproKEQk2QTgopJ1+kb37hyUpy4kW3U33tsCi3fqsg==';
export const SIGNER = 'https://github.com/Acme/Widget/.github/workflows/release.yml@refs/tags/v1.2.3';

/**
 * Signs as GitHub's artifact attestations do, without Sigstore: a bundle shaped as a v0.3 one
 * (the statement naming its subject, the certificate above, a log entry for the public-good
 * instance only), and an attestations API that numbers what it stores.
 */
export class FakeAttestor implements Attestor {
  readonly signed: { subjects: ProvenanceSubject[]; instance: SigstoreInstance }[] = [];
  readonly stored: Buffer[] = [];
  signFailure?: Error;
  storeFailure?: Error;

  async sign(subjects: ProvenanceSubject[], instance: SigstoreInstance): Promise<SignedProvenance[]> {
    if (this.signFailure) throw this.signFailure;
    this.signed.push({ subjects, instance });
    return subjects.map((subject) => ({
      subject,
      bundle: Buffer.from(JSON.stringify(bundleOf(subject, instance))),
      predicateType: 'https://slsa.dev/provenance/v1',
      identity: SIGNER,
      signedAt: new Date('2026-01-02T03:04:05Z'),
    }));
  }

  async store(bundle: Buffer): Promise<string> {
    if (this.storeFailure) throw this.storeFailure;
    this.stored.push(bundle);
    return String(this.stored.length);
  }
}

/** The statement a bundle of this attestor signs. */
export function statementOf(bundle: Buffer): { subject: { name: string; digest: { sha256: string } }[]; predicateType: string } {
  const json = JSON.parse(bundle.toString('utf8')) as { dsseEnvelope: { payload: string } };
  return JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString('utf8')) as ReturnType<typeof statementOf>;
}

function bundleOf(subject: ProvenanceSubject, instance: SigstoreInstance) {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: subject.name, digest: { sha256: subject.digest.replace('sha256:', '') } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  };
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: CERTIFICATE },
      tlogEntries: instance === 'public-good' ? [{ logIndex: '1' }] : [],
    },
    dsseEnvelope: {
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      payloadType: 'application/vnd.in-toto+json',
      signatures: [],
    },
  };
}
