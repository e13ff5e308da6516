import { type ImageOrigin, layoutOrigin, layoutResult, type Manifest, type RegistryClient, repositoryOrigin } from '../registry/index.js';

/**
 * What a build, a promote or a merge produced, and where its parts are read from. The publisher
 * takes it to every destination; a new mode is a new source, never a new publishing sequence.
 */
export interface ImageSource {
  /** The manifest the tags name; its digest is what every destination ends up holding. */
  top: Manifest;
  origin: ImageOrigin;
  /** How messages name it: "the image", "ghcr.io/acme/builds@sha256:…". */
  what: string;
}

/** A build's OCI layout on disk. */
export function builtLayout(layoutDir: string, what = 'the image'): ImageSource {
  return { top: layoutResult(layoutDir), origin: layoutOrigin(layoutDir), what };
}

/**
 * An image a registry already holds in `repo` (pushed by the engine, or by an earlier run), or
 * whose parts it holds there (`top`, an index a merge composed, may not be stored yet).
 */
export function inRepository(client: RegistryClient, repo: string, top: Manifest, what: string): ImageSource {
  return { top, origin: repositoryOrigin(client, repo), what };
}
