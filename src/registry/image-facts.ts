import type { Descriptor, Manifest } from './manifest-tree.js';
import type { RegistryClient } from './registry-client.js';

export interface ManifestJson {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  os?: string;
  architecture?: string;
  variant?: string;
  config?: { Labels?: Record<string, string> };
}

/** The manifest's JSON, as its fields are read here (manifest-tree.ts walks what it points to). */
export function manifestJson(manifest: Manifest): ManifestJson {
  return JSON.parse(manifest.body.toString('utf8')) as ManifestJson;
}

export function isIndex(json: ManifestJson): boolean {
  return Array.isArray(json.manifests);
}

/** The config of an image, or of the first platform image of an index (attestations have platform unknown/unknown). */
export async function configOf(client: RegistryClient, path: string, manifest: Manifest): Promise<ImageConfig> {
  let json = manifestJson(manifest);
  if (isIndex(json)) {
    const child = json.manifests?.find((m) => m.platform?.os !== 'unknown');
    if (!child) return {};
    json = manifestJson(await client.manifest(path, child.digest));
  }
  if (!json.config) return {};
  return JSON.parse((await client.blob(path, json.config.digest)).toString('utf8')) as ImageConfig;
}

/** The commit an image says it was built from (`org.opencontainers.image.revision`), or ''. */
export async function revisionOf(client: RegistryClient, path: string, manifest: Manifest): Promise<string> {
  return (await configOf(client, path, manifest)).config?.Labels?.['org.opencontainers.image.revision'] ?? '';
}

/** `os/arch[/variant]` as the config says. */
export function platformOf(config: ImageConfig): string {
  return [config.os ?? '?', config.architecture ?? '?', config.variant].filter(Boolean).join('/');
}
