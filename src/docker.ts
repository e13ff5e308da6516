import * as exec from '@actions/exec';
import { readFileSync } from 'node:fs';
import { ActionError } from './errors.js';

export interface BuildSpec {
  context: string;
  file: string;
  references: string[];
  buildArgs: string[];
  labels: Record<string, string>;
  /** Index annotations, for multi-platform images. */
  annotations: Record<string, string>;
  target: string;
  platforms: string[];
  secretFiles: { id: string; path: string }[];
  cacheFrom?: string;
  cacheTo?: string;
  provenance: boolean;
  /** A builder created for this run, instead of the current one. */
  builder?: string;
  /**
   * `load` into the engine's image store (pushed by `docker push` then); `push` straight from
   * BuildKit, for a builder whose multi-platform result cannot be loaded; `none` keeps it in the build cache.
   */
  output: 'load' | 'push' | 'none';
  /** Where buildx writes the result's digest. */
  metadataFile?: string;
}

export interface Builder {
  buildx: boolean;
  /** The current builder's driver: `docker`, `docker-container`, `kubernetes`, `remote`. */
  driver: string;
  /**
   * Whether it builds several platforms into one image and exports its cache: any driver but
   * `docker`, or `docker` on the containerd image store.
   */
  capable: boolean;
}

/** The docker CLI as the action uses it; every call runs against the run's private DOCKER_CONFIG. */
export interface Docker {
  /** The current builder; whether it is `capable` is asked only when `needed`. */
  builder(needed: boolean): Promise<Builder>;
  /** Creates a docker-container builder for this run and starts it. */
  createBuilder(name: string): Promise<void>;
  removeBuilder(name: string): Promise<void>;
  /** The secret goes on stdin, never on the command line. */
  login(registry: string, username: string, secret: string): Promise<void>;
  logout(registry: string): Promise<void>;
  /** Builds; returns the digest buildx recorded in `metadataFile`, when one was asked for. */
  build(spec: BuildSpec, buildx: boolean): Promise<string | undefined>;
  /** Pushes one reference and returns the digest the push reported. */
  push(reference: string): Promise<string>;
}

export function createDocker(configDir: string, buildxConfig: string, env: NodeJS.ProcessEnv = process.env): Docker {
  const dockerEnv = { ...env, DOCKER_CONFIG: configDir, BUILDX_CONFIG: buildxConfig } as Record<string, string>;
  const run = async (args: string[], options: { input?: Buffer; silent?: boolean } = {}) =>
    exec.getExecOutput('docker', args, { ...options, env: dockerEnv, ignoreReturnCode: true });

  return {
    async builder(needed) {
      const inspect = await run(['buildx', 'inspect'], { silent: true });
      if (inspect.exitCode !== 0) return { buildx: false, driver: '', capable: false };
      const driver = inspect.stdout.match(/^Driver:\s*(\S+)/m)?.[1] ?? '';
      if (driver !== 'docker' || !needed) return { buildx: true, driver, capable: driver !== 'docker' };
      const info = await run(['info', '--format', '{{json .DriverStatus}}'], { silent: true });
      return { buildx: true, driver, capable: info.stdout.includes('io.containerd.snapshotter') };
    },
    async createBuilder(name) {
      // The host's network, as the docker driver has: registries on the runner's localhost stay reachable.
      const created = await run(['buildx', 'create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host']);
      if (created.exitCode !== 0) throw new DockerError('docker buildx create', name, created.stderr);
      const started = await run(['buildx', 'inspect', '--bootstrap', '--builder', name]);
      if (started.exitCode !== 0) throw new DockerError('docker buildx inspect --bootstrap', name, lastLines(started.stderr));
    },
    async removeBuilder(name) {
      const res = await run(['buildx', 'rm', name]);
      if (res.exitCode !== 0) throw new DockerError('docker buildx rm', name, res.stderr);
    },
    async login(registry, username, secret) {
      const res = await run(['login', '--username', username, '--password-stdin', registry], { input: Buffer.from(secret) });
      if (res.exitCode !== 0) throw new DockerError('docker login', registry, res.stderr);
    },
    async logout(registry) {
      const res = await run(['logout', registry]);
      if (res.exitCode !== 0) throw new DockerError('docker logout', registry, res.stderr);
    },
    async build(spec, buildx) {
      const res = await run(buildArgs(spec, buildx));
      if (res.exitCode !== 0) throw new DockerError('docker build', spec.context, lastLines(res.stderr));
      if (!spec.metadataFile) return undefined;
      const metadata = JSON.parse(readFileSync(spec.metadataFile, 'utf8')) as { 'containerimage.digest'?: string };
      return metadata['containerimage.digest'];
    },
    async push(reference) {
      const res = await run(['push', reference]);
      const digest = res.stdout.match(/digest: (sha256:[0-9a-f]{64})/)?.[1];
      if (res.exitCode !== 0 || !digest) throw new DockerError('docker push', reference, res.stderr || res.stdout);
      return digest;
    },
  };
}

/** The command line of a build: buildx's when the plugin exists, the classic builder's otherwise. */
export function buildArgs(spec: BuildSpec, buildx: boolean): string[] {
  const args = buildx ? ['buildx', 'build'] : ['build'];
  if (buildx && spec.builder) args.push('--builder', spec.builder);
  args.push('--file', spec.file);
  for (const ref of spec.references) args.push('--tag', ref);
  for (const arg of spec.buildArgs) args.push('--build-arg', arg);
  for (const [key, value] of Object.entries(spec.labels)) args.push('--label', `${key}=${value}`);
  if (spec.target) args.push('--target', spec.target);
  if (buildx) {
    if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
    if (spec.platforms.length > 1) {
      for (const [key, value] of Object.entries(spec.annotations)) args.push('--annotation', `index:${key}=${value}`);
    }
    for (const s of spec.secretFiles) args.push('--secret', `id=${s.id},src=${s.path}`);
    if (spec.cacheFrom) args.push('--cache-from', spec.cacheFrom);
    if (spec.cacheTo) args.push('--cache-to', spec.cacheTo);
    args.push(`--provenance=${spec.provenance}`);
    if (spec.metadataFile) args.push('--metadata-file', spec.metadataFile);
    if (spec.output !== 'none') args.push(`--${spec.output}`);
  }
  args.push(spec.context);
  return args;
}

export class DockerError extends ActionError {
  constructor(command: string, subject: string, output: string) {
    super(`${command} failed for ${subject}: ${output.trim() || 'no output'}`, '');
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-15).join('\n');
}
