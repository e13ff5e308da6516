import { afterAll, afterEach, beforeEach } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BuildCache, CacheInput } from '../src/docker/build-cache.js';
import type { Builder } from '../src/docker/docker.js';
import type { GitHubContext } from '../src/runner/github-context.js';
import { type Handoff, createHandoff } from '../src/github/handoff.js';
import { type Plan, makePlan } from '../src/plan/plan.js';
import type { RunDeps } from '../src/publish/run-deps.js';
import type { Settings } from '../src/settings/settings.js';
import { FakeAttestor } from './fake-attestor.js';
import { FakeDocker } from './fake-docker.js';
import { MemoryRegistry } from './memory-registry.js';
import { context, settings } from './settings.js';
import { tempDir } from './temp-dir.js';

export const created = { date: new Date('2026-01-02T03:04:05Z'), from: 'the event payload' as const };

/** The plan of a run with these settings (a release build of ghcr.io/acme/widget unless varied). */
export function planOf(over: Partial<Settings> = {}, ctx: GitHubContext = context): Plan {
  return makePlan(settings(over), ctx, created);
}

/**
 * The Actions cache as the jobs see it: what each platform job saved, by platform. The checks
 * before a build or a merge are the real handoff's, over a cache library that answers as the
 * switches say.
 */
export class FakeHandoff implements Handoff {
  readonly saved: [string, string][] = [];
  /** The service stores writes; false: a read-only token's `cache write denied` (saveCache answers -1). */
  writable = true;
  /** ACTIONS_CACHE_MODE, as the runner sets it. */
  mode?: string;
  constructor(
    public service = true,
    readonly held = new Map<string, string>(),
  ) {}
  private checks(): Handoff {
    const scope = { imageName: 'ghcr.io/acme/widget', runId: '42', runAttempt: '1', tempDir: tempDir('handoff-') };
    return createHandoff(scope, { ACTIONS_CACHE_MODE: this.mode }, async () => ({
      isFeatureAvailable: () => this.service,
      saveCache: async () => (this.writable ? 1 : -1),
      restoreCache: async () => undefined,
    }));
  }
  checkWrite(platform: string): Promise<void> {
    return this.checks().checkWrite(platform);
  }
  checkRead(): Promise<void> {
    return this.checks().checkRead();
  }
  async save(platform: string, digest: string): Promise<void> {
    this.saved.push([platform, digest]);
    this.held.set(platform, digest);
  }
  async find(platform: string): Promise<string | undefined> {
    return this.held.get(platform);
  }
}

export interface PruneCall {
  keep: string[];
  dryRun: boolean;
  who: string;
}

export interface World {
  registry: MemoryRegistry;
  /** The `also-push-to` registries, by host, each made on first use and sharing the journal. */
  others: Map<string, MemoryRegistry>;
  /** Each other registry's client as asked for: `host user:password`. */
  otherLogins: string[];
  /** The other registry at `host` (made now if no run asked for it yet). */
  other(host: string): MemoryRegistry;
  docker: FakeDocker;
  handoff: FakeHandoff;
  attestor: FakeAttestor;
  /** Registry and docker calls in the order they were made. */
  journal: string[];
  prunes: PruneCall[];
  cacheCalls: string[];
  links: number;
  /** What the executors told the post step about. */
  state: string[];
  buildDirs: string[];
  /** The build directories removed during the run, in order. */
  removedBuildDirs: string[];
  deps: RunDeps;
}

const dirs: string[] = [];

/** Removes every directory the worlds made; for afterAll. */
export function removeWorldDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A run's world without engine or network: memory registry, fake docker, fake cache, handoff, prune and link. */
export function makeWorld(
  opts: {
    registry?: MemoryRegistry;
    others?: Map<string, MemoryRegistry>;
    ctx?: GitHubContext;
    cacheService?: boolean;
    builder?: Builder;
    handoff?: FakeHandoff;
  } = {},
): World {
  const journal: string[] = [];
  const registry = opts.registry ?? new MemoryRegistry('ghcr.io', journal);
  const docker = new FakeDocker(registry, journal);
  if (opts.builder) docker.current = opts.builder;
  const temp = tempDir('executors-');
  dirs.push(temp);
  const others = opts.others ?? new Map<string, MemoryRegistry>();
  const other = (host: string): MemoryRegistry => others.get(host) ?? others.set(host, new MemoryRegistry(host, journal)).get(host)!;
  const world: World = {
    registry,
    others,
    otherLogins: [],
    other,
    docker,
    handoff: opts.handoff ?? new FakeHandoff(),
    attestor: new FakeAttestor(),
    journal,
    prunes: [],
    cacheCalls: [],
    links: 0,
    state: [],
    buildDirs: [],
    removedBuildDirs: [],
    deps: undefined as unknown as RunDeps,
  };
  const cache: BuildCache = {
    available: () => opts.cacheService ?? false,
    restore: async (input: CacheInput) => {
      world.cacheCalls.push('restore');
      return { key: `cache-${input.path}`, to: path.join(temp, 'cache-new'), hit: 'miss' };
    },
    save: async () => {
      world.cacheCalls.push('save');
      journal.push('cache save');
    },
  };
  world.deps = {
    ctx: opts.ctx ?? context,
    docker,
    registry: (credential) => registry.client(credential),
    otherRegistry: (o) => {
      world.otherLogins.push(`${o.registry} ${o.username}:${o.password}`);
      return other(o.registry).client({ source: 'pat', label: o.passwordEnv, username: o.username, secret: o.password, kind: 'unknown' });
    },
    cache,
    handoff: world.handoff,
    attestor: world.attestor,
    packageLink: async () => {
      world.links += 1;
      return { packageUrl: 'https://github.com/orgs/acme/packages/container/package/widget', lines: ['linked to Acme/Widget'] };
    },
    prune: async (_plan, credential, keep, dryRun) => {
      world.prunes.push({ keep, dryRun, who: credential.source });
      return { deleted: dryRun ? ['sha256:'.padEnd(71, 'd')] : [] };
    },
    writeSecrets: (secrets) => {
      world.state.push('secrets');
      return { dir: path.join(temp, 'secrets'), files: secrets.map((s, i) => ({ id: s.id, path: path.join(temp, 'secrets', String(i)) })) };
    },
    makeBuildDir: () => {
      const dir = mkdtempSync(path.join(temp, 'ghcr-publish-build-'));
      world.buildDirs.push(dir);
      return dir;
    },
    removeBuildDir: (dir) => {
      world.removedBuildDirs.push(dir);
      journal.push('remove the build dir');
      rmSync(dir, { recursive: true, force: true });
    },
    state: {
      loggedIn: () => void world.state.push('loggedIn'),
      builder: (name) => void world.state.push(`builder ${name}`),
      secretsDir: (dir) => void world.state.push(`secretsDir ${dir}`),
      buildDir: (dir) => void world.state.push(`buildDir ${dir}`),
    },
    tempDir: temp,
  };
  return world;
}

/** Captures what @actions/core writes (info, notices, groups) instead of printing it. */
export function captureLog(): { text: () => string; restore: () => void } {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  };
  return { text: () => out, restore: () => void (process.stdout.write = write) };
}

/**
 * For a test file of runs: each test's output captured (`text()`, what the step would print), and
 * the worlds' directories removed once the file's tests are done.
 */
export function capturedRuns(): { text: () => string } {
  let log: ReturnType<typeof captureLog> | undefined;
  beforeEach(() => void (log = captureLog()));
  afterEach(() => log?.restore());
  afterAll(removeWorldDirs);
  return { text: () => log?.text() ?? '' };
}

/** What a promise failed with, or an Error saying it succeeded: for asserting on failures. */
export const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => new Error('it succeeded'),
    (e: Error) => e,
  );
