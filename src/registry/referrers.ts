import { repositoryOrigin } from './image-copy.js';
import { transferImage } from './image-transfer.js';
import { type Descriptor, type Manifest, INDEX, inParallel, refName, sha256Digest } from './manifest-tree.js';
import type { RegistryClient } from './registry-client.js';

/**
 * Manifests about other manifests (OCI distribution spec 1.1, "referrers"): a signed attestation
 * is attached to an image as an artifact manifest whose `subject` is the image. A registry with
 * the referrers API lists it by itself; for one without (ghcr.io), the client keeps an index under
 * the tag `sha256-<hex>` of the subject, the spec's "referrers tag schema", which cosign, gh and
 * GitHub's own attest action read as well.
 */

/** A Sigstore bundle's media type, as a layer and as the artifact's type (what @sigstore/oci writes and cosign selects by). */
export const SIGSTORE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** The OCI empty descriptor: the config of an artifact that has none (image spec 1.1, "Guidance for an Empty Descriptor"). */
const EMPTY_CONFIG = Buffer.from('{}');

/** An entry of a referrers list: a descriptor with the artifact's type and annotations. */
export type Referrer = Descriptor & { artifactType?: string };

/** A signed bundle ready to attach. */
export interface BundleArtifact {
  /** The Sigstore bundle's JSON, as signed. */
  bundle: Buffer;
  /** The in-toto statement's predicate type, an annotation that cosign and gh filter by. */
  predicateType: string;
  signedAt: Date;
}

/** How an attachment was made: listed by the registry's referrers API, or in the `sha256-<hex>` tag index. */
export interface Attached {
  digest: string;
  via: 'referrers API' | 'tag';
}

/** The tag under which a registry without the referrers API lists a manifest's referrers. */
export const referrersTag = (digest: string): string => digest.replace(':', '-');

/**
 * Attaches a Sigstore bundle to `subject` (an image or index in `repository`) as @sigstore/oci
 * does for actions/attest: the bundle as the one layer, the empty config, the image as subject.
 */
export async function attachBundle(
  client: RegistryClient,
  repository: string,
  subject: Descriptor,
  artifact: BundleArtifact,
): Promise<Attached> {
  const annotations = {
    'org.opencontainers.image.created': artifact.signedAt.toISOString(),
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': artifact.predicateType,
  };
  const layer = await uploadIfMissing(client, repository, artifact.bundle);
  const config = await uploadIfMissing(client, repository, EMPTY_CONFIG);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: SIGSTORE_BUNDLE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
      layers: [{ mediaType: SIGSTORE_BUNDLE, ...layer }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    }),
  );
  const manifest = { digest: sha256Digest(body), mediaType: OCI_MANIFEST, body };
  return storeReferrer(client, repository, subject.digest, manifest, { artifactType: SIGSTORE_BUNDLE, annotations });
}

/** What the registry lists as referring to `digest`: its referrers API's answer and the `sha256-<hex>` tag index, together. */
export async function referrersOf(client: RegistryClient, repository: string, digest: string): Promise<Referrer[]> {
  const [api, tagged] = await Promise.all([client.referrers(repository, digest), tagIndex(client, repository, digest)]);
  const seen = new Set<string>();
  return [...(api ?? []), ...(tagged?.manifests ?? [])].filter((r) => !seen.has(r.digest) && seen.add(r.digest));
}

/** A repository of a registry, and the client that reaches it. */
export interface RepositoryAt {
  client: RegistryClient;
  repo: string;
}

/**
 * Copies what refers to each of `subjects` in `from` (attestations, signatures) to `to`, attached
 * there the same way: within a registry its blobs are mounted, to another one streamed. The number copied.
 */
export async function carryReferrers(from: RepositoryAt, to: RepositoryAt, subjects: string[]): Promise<number> {
  const origin = repositoryOrigin(from.client, from.repo);
  let carried = 0;
  // Subjects side by side; one subject's referrers one after another, as each may rewrite its tag index.
  await inParallel(subjects, 4, async (subject) => {
    for (const entry of await referrersOf(from.client, from.repo, subject)) {
      const manifest = await from.client.manifest(from.repo, entry.digest);
      await transferImage(origin, manifest, to.client, to.repo);
      await storeReferrer(to.client, to.repo, subject, manifest, { artifactType: entry.artifactType, annotations: entry.annotations });
      carried += 1;
    }
  });
  return carried;
}

/** Stores a referrer by digest and, where the registry does not list it itself, adds it to the subject's tag index. */
async function storeReferrer(
  client: RegistryClient,
  repository: string,
  subject: string,
  manifest: Manifest,
  about: Pick<Referrer, 'artifactType' | 'annotations'>,
): Promise<Attached> {
  const { digest, indexed } = await client.putReferrer(repository, manifest);
  if (indexed) return { digest, via: 'referrers API' };
  const entry: Referrer = { mediaType: manifest.mediaType, digest, size: manifest.body.length, ...about };
  const tag = referrersTag(subject);
  // Whatever the tag index lists already (other attestations, signatures) stays in it.
  const index = (await tagIndex(client, repository, subject)) ?? { schemaVersion: 2, mediaType: INDEX, manifests: [] };
  if (!index.manifests.some((m) => m.digest === digest)) {
    index.manifests.push(entry);
    await client.putManifest(repository, tag, { body: Buffer.from(JSON.stringify(index)), mediaType: INDEX });
  }
  return { digest, via: 'tag' };
}

interface TagIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: Referrer[];
}

/** The index under the subject's `sha256-<hex>` tag; undefined when there is none. */
async function tagIndex(client: RegistryClient, repository: string, subject: string): Promise<TagIndex | undefined> {
  const tag = referrersTag(subject);
  const found = await client.findManifest(repository, tag);
  if (!found) return undefined;
  const json = JSON.parse(found.body.toString('utf8')) as Partial<TagIndex>;
  if (!Array.isArray(json.manifests)) {
    throw new Error(
      `${refName(repository, tag)} is not an index, so it cannot list the referrers of ${subject} as the referrers tag schema has it.`,
    );
  }
  return { schemaVersion: 2, mediaType: INDEX, ...json, manifests: json.manifests };
}

async function uploadIfMissing(client: RegistryClient, repository: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256Digest(bytes);
  if (!(await client.blobExists(repository, digest))) await client.uploadBlob(repository, digest, bytes.length, () => bytes);
  return { digest, size: bytes.length };
}
