import { type ChildProcess, spawn } from 'node:child_process';
import { ActionError, safeLines, safeText } from '../runner/index.js';
import { builderFromFiles } from './builder-files.js';
import { engineGet } from './engine-api.js';
import { diskFullFix } from './disk-full.js';
import { cutByTimeLimit, rateLimitDelay, saysRateLimited } from '../registry/index.js';

export interface BuildSpec {
  context: string;
  file: string;
  /** References to tag the image with in the engine (`load`); a layout or cache-only build has none. */
  references: string[];
  buildArgs: string[];
  labels: Record<string, string>;
  /** `index:key=value` / `manifest:key=value`, as buildx's --annotation takes them. */
  annotations: string[];
  target: string;
  platforms: string[];
  secretFiles: { id: string; path: string }[];
  cacheFrom?: string;
  cacheTo?: string;
  /** `cache: false`: not even the builder's own cache (`--no-cache`). */
  noCache?: boolean;
  provenance: boolean;
  /** A builder created for this run, instead of the current one. */
  builder?: string;
  /** SOURCE_DATE_EPOCH, for reproducible builds. */
  epoch?: number;
  /**
   * `oci`: an OCI layout in `layoutDir` that the action pushes itself (file timestamps rewritten to
   * the epoch); `load` into the engine's image store; `none` keeps it in the build cache.
   */
  output: { kind: 'oci'; dir: string; rewriteTimestamps: boolean } | { kind: 'load' } | { kind: 'none' };
}

export interface Builder {
  buildx: boolean;
  /** The current builder's driver: `docker`, `docker-container`, `kubernetes`, `remote`. */
  driver: string;
  /**
   * Whether it builds several platforms into one image and exports OCI layouts and its cache: any
   * driver but `docker`, or `docker` on the containerd image store.
   */
  capable: boolean;
}

/** The docker CLI as the action uses it; every call runs with the run's private configuration. */
export interface Docker {
  /** The current builder; whether it is `capable` is asked only when `needed`. */
  builder(needed: boolean): Promise<Builder>;
  /** Creates a docker-container builder for this run and starts it. */
  createBuilder(name: string): Promise<void>;
  removeBuilder(name: string): Promise<void>;
  /** The secret goes on stdin, never on the command line. */
  login(registry: string, username: string, secret: string): Promise<void>;
  logout(registry: string): Promise<void>;
  build(spec: BuildSpec, buildx: boolean): Promise<void>;
  /** Pushes one reference from the engine's store, retrying transient faults; returns the digest it reported. */
  push(reference: string): Promise<string>;
  /** The sizes of an image's layers in the engine's store, before compression. */
  layerSizes(reference: string): Promise<number[]>;
}

export interface PushRetry {
  attempts: number;
  /** How long the registry lets one upload run (ghcr.io: 10 minutes): a push cut there is not tried again. */
  uploadLimitMs?: number;
  delayMs: (attempt: number) => number;
  sleep: (ms: number) => Promise<void>;
  onRetry: (message: string) => void;
}

/** What a failed `docker push` says when a second try may pass: 5xx, 429, resets, timeouts. */
const TRANSIENT =
  /\b(5\d\d|429)\b|too ?many ?requests|service unavailable|bad gateway|gateway time-?out|internal server error|connection reset|broken pipe|\bEOF\b|i\/o timeout|timed? ?out|connection refused|blob upload unknown/i;
/** What never passes on a second try. */
const REFUSED = /\b(401|403)\b|unauthorized|denied|forbidden|authentication required/i;

/** A rate limit is tried again even when it comes as a 403 `denied` (GitHub's "secondary rate limit"). */
export function isTransientPushFailure(output: string): boolean {
  return saysRateLimited(output) || (TRANSIENT.test(output) && !REFUSED.test(output));
}

/** The docker CLI, and a way to stop the commands it is running when the job is cancelled. */
export interface DockerProcesses {
  docker: Docker;
  /** Passes a cancellation on to every docker command still running. */
  interrupt(signal: NodeJS.Signals): void;
}

interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function createDocker(env: NodeJS.ProcessEnv, retry: PushRetry): DockerProcesses {
  const running = new Set<ChildProcess>();
  const run = (args: string[], options: { input?: Buffer; quiet?: boolean } = {}) =>
    new Promise<Ran>((resolve, reject) => {
      // The echo and the output are ours to print: a value (a label with a newline) must not start a workflow command.
      if (!options.quiet) process.stdout.write(`[command]docker ${args.map(shellWord).join(' ')}\n`);
      const child = spawn('docker', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      running.add(child);
      const out = { stdout: '', stderr: '' };
      for (const name of ['stdout', 'stderr'] as const) {
        let partial = '';
        child[name].setEncoding('utf8');
        child[name].on('data', (chunk: string) => {
          out[name] += chunk;
          const lines = (partial + chunk).split(/\r?\n/);
          partial = lines.pop() ?? '';
          if (!options.quiet) for (const line of lines) process.stdout.write(`${safeLines(line)}\n`);
        });
        child[name].on('end', () => void (partial && !options.quiet && process.stdout.write(`${safeLines(partial)}\n`)));
      }
      child.on('error', (e) => {
        running.delete(child);
        reject(
          new ActionError(`docker could not be run: ${e.message}.`, 'Install Docker on the runner (GitHub-hosted Ubuntu runners have it).'),
        );
      });
      child.on('close', (code) => {
        running.delete(child);
        resolve({ exitCode: code ?? 1, ...out });
      });
      child.stdin.end(options.input);
    });

  const docker: Docker = {
    async builder(needed) {
      // Side by side: the engine's image store matters only to the docker driver, but asking after would cost a round trip more.
      const known = builderFromFiles(env);
      const [inspect, store] = await Promise.all([
        known ? undefined : run(['buildx', 'inspect'], { quiet: true }),
        needed ? imageStore() : undefined,
      ]);
      if (inspect && inspect.exitCode !== 0) return { buildx: false, driver: '', capable: false };
      const driver = known?.driver ?? inspect?.stdout.match(/^Driver:\s*(\S+)/m)?.[1] ?? '';
      if (driver !== 'docker' || store === undefined) return { buildx: true, driver, capable: driver !== 'docker' };
      return { buildx: true, driver, capable: store.includes('io.containerd.snapshotter') };
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
      if (res.exitCode !== 0) {
        const layout = spec.output.kind === 'oci' ? spec.output.dir : undefined;
        throw new DockerError('docker build', spec.context, lastLines(res.stderr), diskFullFix(res.stderr, layout));
      }
    },
    async push(reference) {
      for (let attempt = 1; ; attempt++) {
        const started = Date.now();
        const res = await run(['push', reference]);
        const digest = res.stdout.match(/digest: (sha256:[0-9a-f]{64})/)?.[1];
        if (res.exitCode === 0 && digest) return digest;
        const output = lastLines(`${res.stdout}\n${res.stderr}`);
        if (res.exitCode === 0) {
          throw new ActionError(
            `docker push of ${reference} ended without reporting a digest, so what the registry holds is unknown: ${output}`,
            'Re-run the job; if it persists, report the docker version.',
          );
        }
        const host = reference.slice(0, reference.indexOf('/'));
        const cut = cutByTimeLimit(host, { uploadMs: retry.uploadLimitMs }, reference, undefined, Date.now() - started);
        if (cut) throw new ActionError(`docker push failed: ${cut.problem} ${lastLines(output, 3)}`, cut.fix);
        if (attempt >= retry.attempts || !isTransientPushFailure(output)) {
          const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
          throw new DockerError(`docker push${tries}`, reference, output);
        }
        // A rate limit waits as long as its words say, else longer than a fault would.
        const wait = saysRateLimited(output) ? rateLimitDelay(output, attempt) : retry.delayMs(attempt);
        retry.onRetry(
          `docker push of ${reference} failed (${lastLines(output, 1)}); retrying in ${(wait / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${retry.attempts}).`,
        );
        await retry.sleep(wait);
      }
    },
    async layerSizes(reference) {
      const history = (await engineGet(env, `/images/${encodeURIComponent(reference)}/history`)) as { Size?: number }[] | undefined;
      if (history) return history.map((h) => h.Size ?? 0).filter((size) => size > 0);
      const res = await run(['image', 'history', '--no-trunc', '--human=false', '--format', '{{.Size}}', reference], { quiet: true });
      if (res.exitCode !== 0) throw new DockerError('docker image history', reference, res.stderr);
      return res.stdout
        .split('\n')
        .map(Number)
        .filter((size) => size > 0);
    },
  };
  /** The engine's storage driver status: from its socket where it can be reached, else from the CLI. */
  async function imageStore(): Promise<string> {
    const info = (await engineGet(env, '/info')) as { DriverStatus?: unknown } | undefined;
    if (info) return JSON.stringify(info.DriverStatus ?? null);
    return (await run(['info', '--format', '{{json .DriverStatus}}'], { quiet: true })).stdout;
  }
  return { docker, interrupt: (signal) => running.forEach((child) => child.kill(signal)) };
}

/** The command line of a build: buildx's when the plugin exists, the classic builder's otherwise. */
export function buildArgs(spec: BuildSpec, buildx: boolean): string[] {
  const args = buildx ? ['buildx', 'build'] : ['build'];
  if (buildx && spec.builder) args.push('--builder', spec.builder);
  args.push('--file', spec.file);
  for (const ref of spec.references) args.push('--tag', ref);
  for (const arg of spec.buildArgs) args.push('--build-arg', arg);
  if (buildx && spec.epoch !== undefined) args.push('--build-arg', `SOURCE_DATE_EPOCH=${spec.epoch}`);
  for (const [key, value] of Object.entries(spec.labels)) args.push('--label', `${key}=${value}`);
  if (spec.target) args.push('--target', spec.target);
  if (spec.noCache) args.push('--no-cache');
  if (buildx) {
    if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
    for (const annotation of spec.annotations) args.push('--annotation', annotation);
    for (const s of spec.secretFiles) args.push('--secret', `id=${s.id},src=${s.path}`);
    if (spec.cacheFrom) args.push('--cache-from', spec.cacheFrom);
    if (spec.cacheTo) args.push('--cache-to', spec.cacheTo);
    args.push(`--provenance=${spec.provenance}`);
    const out = spec.output;
    if (out.kind === 'oci')
      args.push('--output', `type=oci,dest=${out.dir},tar=false${out.rewriteTimestamps ? ',rewrite-timestamp=true' : ''}`);
    if (out.kind === 'load') args.push('--load');
  }
  args.push(spec.context);
  return args;
}

/** One argument as a person would type it, with newlines shown escaped. */
function shellWord(arg: string): string {
  const shown = safeText(arg);
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}

export class DockerError extends ActionError {
  constructor(command: string, subject: string, output: string, fix = '') {
    super(`${command} failed for ${subject}: ${output.trim() || 'no output'}`, fix);
  }
}

function lastLines(text: string, count = 15): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
