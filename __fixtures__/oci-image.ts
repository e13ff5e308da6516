import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Manifest, sha256Digest } from '../src/registry/manifest-tree.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

/** An image as a registry or a layout holds it: the top manifest, the manifests under it, and every blob. */
export interface ImageSet {
  top: Manifest;
  /** Platform (and attestation) manifests of an index, children first; [] for a single image. */
  children: Manifest[];
  blobs: Buffer[];
}

export interface ImageRecipe {
  /** `os/arch[/variant]`. */
  platform: string;
  labels?: Record<string, string>;
  /** What the layer holds: different content, different digest. */
  content?: string;
  /** Annotations of the image manifest. */
  annotations?: Record<string, string>;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const manifestOf = (body: Buffer, mediaType: string): Manifest => ({ digest: sha256Digest(body), mediaType, body });
const descriptor = (m: Manifest | Buffer, mediaType: string) =>
  Buffer.isBuffer(m)
    ? { mediaType, digest: sha256Digest(m), size: m.length }
    : { mediaType: m.mediaType, digest: m.digest, size: m.body.length };

export function platformParts(platform: string): { os: string; architecture: string; variant?: string } {
  const [os, architecture, variant] = platform.split('/');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** One platform image: a config whose labels and platform are the recipe's, and one layer. */
export function ociImage(recipe: ImageRecipe): ImageSet {
  const layer = Buffer.from(recipe.content ?? `content of ${recipe.platform}`);
  const config = json({
    ...platformParts(recipe.platform),
    config: { Labels: recipe.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] },
  });
  const body = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config, OCI_CONFIG),
    layers: [descriptor(layer, OCI_LAYER)],
    ...(recipe.annotations && Object.keys(recipe.annotations).length > 0 ? { annotations: recipe.annotations } : {}),
  });
  return { top: manifestOf(body, OCI_MANIFEST), children: [], blobs: [config, layer] };
}

/** An attestation manifest about `image`, as BuildKit adds with provenance (platform unknown/unknown). */
export function attestation(image: ImageSet): ImageSet {
  const statement = Buffer.from(`provenance of ${image.top.digest}`);
  const config = json({ architecture: 'unknown', os: 'unknown', rootfs: { type: 'layers', diff_ids: [sha256Digest(statement)] } });
  const body = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config, OCI_CONFIG),
    layers: [descriptor(statement, 'application/vnd.in-toto+json')],
  });
  return { top: manifestOf(body, OCI_MANIFEST), children: [], blobs: [config, statement] };
}

/** An OCI index of images (each an image manifest), with its own annotations. */
export function ociIndex(
  entries: { image: ImageSet; platform: string; annotations?: Record<string, string> }[],
  annotations: Record<string, string> = {},
): ImageSet {
  const body = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map((e) => ({
      ...descriptor(e.image.top, OCI_MANIFEST),
      platform: platformParts(e.platform),
      ...(e.annotations ? { annotations: e.annotations } : {}),
    })),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  });
  return {
    top: manifestOf(body, OCI_INDEX),
    children: entries.flatMap((e) => [...e.image.children, e.image.top]),
    blobs: entries.flatMap((e) => e.image.blobs),
  };
}

/** An index of platform images with BuildKit's attestations, as `provenance: true` makes. */
export function withAttestations(images: { image: ImageSet; platform: string }[], annotations: Record<string, string> = {}): ImageSet {
  return ociIndex(
    [
      ...images,
      ...images.map(({ image }) => ({
        image: attestation(image),
        platform: 'unknown/unknown',
        annotations: { 'vnd.docker.reference.digest': image.top.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
      })),
    ],
    annotations,
  );
}

/** Writes `image` as an OCI image layout (`--output type=oci,tar=false`) into `dir`. */
export function writeLayout(dir: string, image: ImageSet): void {
  const blobs = path.join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  for (const bytes of [...image.blobs, ...[...image.children, image.top].map((m) => m.body)]) {
    writeFileSync(path.join(blobs, sha256Digest(bytes).slice('sha256:'.length)), bytes);
  }
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [descriptor(image.top, OCI_MANIFEST)] }),
  );
}
