import * as exec from '@actions/exec';
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
  builder?: string;
}

/** The docker CLI as the action uses it; every call runs against the run's private DOCKER_CONFIG. */
export interface Docker {
  hasBuildx(): Promise<boolean>;
  /** The secret goes on stdin, never on the command line. */
  login(registry: string, username: string, secret: string): Promise<void>;
  logout(registry: string): Promise<void>;
  build(spec: BuildSpec, buildx: boolean): Promise<void>;
  /** Pushes one reference and returns the digest the push reported. */
  push(reference: string): Promise<string>;
}

export function createDocker(configDir: string, buildxConfig: string, env: NodeJS.ProcessEnv = process.env): Docker {
  const dockerEnv = { ...env, DOCKER_CONFIG: configDir, BUILDX_CONFIG: buildxConfig } as Record<string, string>;
  const run = async (args: string[], options: { input?: Buffer; silent?: boolean } = {}) =>
    exec.getExecOutput('docker', args, { ...options, env: dockerEnv, ignoreReturnCode: true });

  return {
    async hasBuildx() {
      const res = await run(['buildx', 'version'], { silent: true });
      return res.exitCode === 0;
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
    args.push(`--provenance=${spec.provenance}`, '--load');
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
