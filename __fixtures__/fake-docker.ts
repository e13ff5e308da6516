import { type Builder, type BuildSpec, type Docker, DockerError } from '../src/docker/docker.js';
import type { MemoryRegistry } from './memory-registry.js';
import { type ImageSet, ociImage, ociIndex, withAttestations, writeLayout } from './oci-image.js';

export const CONTAINERD: Builder = { buildx: true, driver: 'docker', capable: true };
export const CONTAINER: Builder = { buildx: true, driver: 'docker-container', capable: true };
export const PLAIN_DOCKER: Builder = { buildx: true, driver: 'docker', capable: false };
export const CLASSIC: Builder = { buildx: false, driver: '', capable: false };

export interface DockerCall {
  method: keyof Docker;
  /** What the call was about (a reference, a builder, a login); never a secret. */
  subject: string;
}

/** Annotations of one kind (`index`, `manifest`) from buildx's `--annotation kind:key=value` list. */
function annotationsOf(spec: BuildSpec, kind: string): Record<string, string> {
  const found = spec.annotations.filter((a) => a.startsWith(`${kind}:`)).map((a) => a.slice(kind.length + 1));
  return Object.fromEntries(found.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
}

/**
 * The image a build makes, from what the build reads: the same spec gives the same digest,
 * other labels another. Paths private to a run (the layout, the cache, secret files) play no part.
 */
export function imageOf(spec: BuildSpec): ImageSet {
  const platforms = spec.platforms.length > 0 ? spec.platforms : ['linux/amd64'];
  const recipe = {
    context: spec.context,
    file: spec.file,
    buildArgs: spec.buildArgs,
    target: spec.target,
    epoch: spec.epoch,
    secrets: spec.secretFiles.map((s) => s.id),
  };
  const images = platforms.map((platform) => ({
    platform,
    image: ociImage({
      platform,
      labels: spec.labels,
      content: JSON.stringify({ ...recipe, platform }),
      annotations: annotationsOf(spec, 'manifest'),
    }),
  }));
  if (spec.provenance) return withAttestations(images, annotationsOf(spec, 'index'));
  return images.length > 1 ? ociIndex(images, annotationsOf(spec, 'index')) : images[0].image;
}

/**
 * A Docker CLI that builds without an engine: an `oci` output is written as a real OCI layout,
 * a `load` output is kept under its references, and `push` puts a loaded image into the memory
 * registry. Every call is recorded.
 */
export class FakeDocker implements Docker {
  readonly calls: DockerCall[] = [];
  readonly builds: { spec: BuildSpec; buildx: boolean; digest: string }[] = [];
  /** The engine's image store: reference → image. */
  readonly images = new Map<string, ImageSet>();
  current: Builder = CONTAINERD;
  /** Set: createBuilder fails with this message. */
  createBuilderFails?: string;
  /** Set: push reports this digest instead of the pushed one. */
  reportDigest?: string;
  /** Set: push fails with this output, as the engine's does when the registry refuses it. */
  refusePush?: string;
  /** Registries logged in to: a push to another fails, as the engine's does without credentials. */
  readonly loggedIn = new Set<string>();
  /** Runs during every build, after the image is made: a publisher racing this one. */
  onBuild?: (spec: BuildSpec) => void | Promise<void>;

  constructor(
    private readonly registry: MemoryRegistry,
    private readonly journal: string[] = [],
  ) {}

  private record(method: keyof Docker, subject: string): void {
    this.calls.push({ method, subject });
    this.journal.push(`docker ${method} ${subject}`);
  }

  count(method: keyof Docker): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  async builder(needed: boolean): Promise<Builder> {
    this.record('builder', String(needed));
    return this.current;
  }

  async createBuilder(name: string): Promise<void> {
    this.record('createBuilder', name);
    if (this.createBuilderFails) throw new Error(this.createBuilderFails);
  }

  async removeBuilder(name: string): Promise<void> {
    this.record('removeBuilder', name);
  }

  async login(registry: string, username: string, _secret: string): Promise<void> {
    this.record('login', `${username}@${registry}`);
    this.loggedIn.add(registry);
  }

  async logout(registry: string): Promise<void> {
    this.record('logout', registry);
    this.loggedIn.delete(registry);
  }

  async build(spec: BuildSpec, buildx: boolean): Promise<void> {
    this.record('build', spec.output.kind);
    const image = imageOf(spec);
    this.builds.push({ spec, buildx, digest: image.top.digest });
    if (spec.output.kind === 'oci') writeLayout(spec.output.dir, image);
    if (spec.output.kind === 'load') for (const ref of spec.references) this.images.set(ref, image);
    await this.onBuild?.(spec);
  }

  async push(reference: string): Promise<string> {
    this.record('push', reference);
    const image = this.images.get(reference);
    if (!image) throw new Error(`An image does not exist locally with the tag: ${reference}`);
    const host = reference.slice(0, reference.indexOf('/'));
    if (!this.loggedIn.has(host)) throw new DockerError('docker push', reference, 'unauthorized: authentication required');
    if (this.refusePush) throw new DockerError('docker push', reference, this.refusePush);
    const digest = this.registry.enginePush(reference, image);
    return this.reportDigest ?? digest;
  }

  async layerSizes(reference: string): Promise<number[]> {
    this.record('layerSizes', reference);
    const image = this.images.get(reference);
    if (!image) throw new Error(`No such image: ${reference}`);
    return image.blobs.map((b) => b.length);
  }
}
