import { describe, expect, it } from '@jest/globals';
import { MemoryRegistry } from '../../__fixtures__/memory-registry.js';
import { ociImage } from '../../__fixtures__/oci-image.js';
import { type Descriptor } from '../../src/registry/manifest-tree.js';
import { SIGSTORE_BUNDLE, attachBundle, carryReferrers, referrersOf, referrersTag } from '../../src/registry/referrers.js';
import { sha256Digest } from '../../src/registry/manifest-tree.js';

const REPO = 'acme/widget';
const PROVENANCE = 'https://slsa.dev/provenance/v1';
const EMPTY_CONFIG = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
const signedAt = new Date('2026-01-02T03:04:05Z');
const bundle = (text: string) => ({ bundle: Buffer.from(JSON.stringify({ text })), predicateType: PROVENANCE, signedAt });

/** A registry holding one image in `repo`, and its descriptor. */
function withImage(repo = REPO, over: { referrersApi?: boolean } = {}): { registry: MemoryRegistry; subject: Descriptor } {
  const registry = new MemoryRegistry();
  if (over.referrersApi) registry.serveReferrers();
  const image = ociImage({ platform: 'linux/amd64', content: 'the image' });
  registry.seed(repo, image, 'v1');
  return { registry, subject: { mediaType: image.top.mediaType, digest: image.top.digest, size: image.top.body.length } };
}

interface ArtifactJson {
  artifactType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject: Descriptor;
  annotations: Record<string, string>;
}

describe('attaching a Sigstore bundle to an image', () => {
  it('stores it as @sigstore/oci does: the bundle the one layer, the empty config, the image as subject', async () => {
    const { registry, subject } = withImage();
    const { digest } = await attachBundle(registry.client(), REPO, subject, bundle('one'));
    const json = registry.json<ArtifactJson>(REPO, digest);
    expect(json).toMatchObject({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: SIGSTORE_BUNDLE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_CONFIG, size: 2 },
      layers: [{ mediaType: SIGSTORE_BUNDLE, digest: sha256Digest(bundle('one').bundle) }],
      subject,
      annotations: {
        'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': PROVENANCE,
      },
    });
    expect(registry.hasBlob(REPO, json.layers[0].digest) && registry.hasBlob(REPO, EMPTY_CONFIG)).toBe(true);
  });

  it('without a referrers API (ghcr.io): lists it in the index tagged sha256-<hex>, with its type and annotations', async () => {
    const { registry, subject } = withImage();
    const attached = await attachBundle(registry.client(), REPO, subject, bundle('one'));
    expect(attached.via).toBe('tag');
    expect(referrersTag(subject.digest)).toBe(subject.digest.replace('sha256:', 'sha256-'));
    expect(registry.json(REPO, referrersTag(subject.digest))).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: attached.digest,
          size: expect.any(Number) as unknown,
          artifactType: SIGSTORE_BUNDLE,
          annotations: expect.objectContaining({ 'dev.sigstore.bundle.predicateType': PROVENANCE }) as unknown,
        },
      ],
    });
  });

  it('appends to the index already there, and lists one attachment once', async () => {
    const { registry, subject } = withImage();
    const client = registry.client();
    const first = await attachBundle(client, REPO, subject, bundle('one'));
    const second = await attachBundle(client, REPO, subject, bundle('two'));
    const writes = registry.count('putManifest');
    await attachBundle(client, REPO, subject, bundle('two'));
    const index = registry.json<{ manifests: Descriptor[] }>(REPO, referrersTag(subject.digest));
    expect(index.manifests.map((m) => m.digest)).toEqual([first.digest, second.digest]);
    expect(registry.count('putManifest')).toBe(writes);
  });

  it('with a referrers API (the registry answers OCI-Subject): no tag, the registry lists it', async () => {
    const { registry, subject } = withImage(REPO, { referrersApi: true });
    const attached = await attachBundle(registry.client(), REPO, subject, bundle('one'));
    expect(attached.via).toBe('referrers API');
    expect(registry.tagsOf(REPO)).toEqual({ v1: subject.digest });
    expect((await referrersOf(registry.client(), REPO, subject.digest)).map((r) => r.digest)).toEqual([attached.digest]);
  });

  it('refuses a sha256-<hex> tag that is not an index, naming it', async () => {
    const { registry, subject } = withImage();
    registry.seed(REPO, ociImage({ platform: 'linux/amd64', content: 'squatter' }), referrersTag(subject.digest));
    await expect(attachBundle(registry.client(), REPO, subject, bundle('one'))).rejects.toThrow(
      `${REPO}:${referrersTag(subject.digest)} is not an index`,
    );
  });
});

describe('what refers to an image', () => {
  it('is the referrers API’s list and the tag index’s together, each once', async () => {
    const { registry, subject } = withImage();
    const client = registry.client();
    const tagged = await attachBundle(client, REPO, subject, bundle('by tag'));
    registry.serveReferrers();
    const listed = await attachBundle(client, REPO, subject, bundle('by the API'));
    expect((await referrersOf(client, REPO, subject.digest)).map((r) => r.digest).sort()).toEqual([tagged.digest, listed.digest].sort());
  });
});

describe('carrying attachments to another repository', () => {
  it('to another registry, streams the blobs and attaches it the same way there', async () => {
    const { registry, subject } = withImage();
    const attached = await attachBundle(registry.client(), REPO, subject, bundle('provenance'));
    const hub = new MemoryRegistry('docker.io');
    hub.seed(REPO, ociImage({ platform: 'linux/amd64', content: 'the image' }));
    expect(await carryReferrers({ client: registry.client(), repo: REPO }, { client: hub.client(), repo: REPO }, [subject.digest])).toBe(1);
    expect(hub.json<ArtifactJson>(REPO, attached.digest).subject).toEqual(subject);
    expect(hub.json<{ manifests: Descriptor[] }>(REPO, referrersTag(subject.digest)).manifests.map((m) => m.digest)).toEqual([
      attached.digest,
    ]);
    expect(hub.count('uploadBlob')).toBe(2);
  });

  it('copies each one, mounting its blobs, and lists it under the same tag there', async () => {
    const { registry, subject } = withImage('acme/widget-ci');
    const client = registry.client();
    const attached = await attachBundle(client, 'acme/widget-ci', subject, bundle('provenance'));
    registry.seed(REPO, ociImage({ platform: 'linux/amd64', content: 'the image' }));
    const uploaded = registry.uploadedBytes;
    expect(await carryReferrers({ client, repo: 'acme/widget-ci' }, { client, repo: REPO }, [subject.digest])).toBe(1);
    expect(registry.hasManifest(REPO, attached.digest)).toBe(true);
    expect(registry.json<{ manifests: Descriptor[] }>(REPO, referrersTag(subject.digest)).manifests).toEqual([
      expect.objectContaining({ digest: attached.digest, artifactType: SIGSTORE_BUNDLE }),
    ]);
    expect(registry.uploadedBytes).toBe(uploaded);
    expect(registry.count('mountBlob', { repo: REPO })).toBe(2);
  });

  it('copies nothing for an image nothing refers to', async () => {
    const { registry, subject } = withImage('acme/widget-ci');
    const client = registry.client();
    expect(await carryReferrers({ client, repo: 'acme/widget-ci' }, { client, repo: REPO }, [subject.digest])).toBe(0);
    expect(registry.writes()).toEqual([]);
  });
});
