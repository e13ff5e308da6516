import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CacheInput, createBuildCache } from '../../src/docker/build-cache.js';
import { FakeCacheService } from '../support/cache-service.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const temp = (name: string) => tempDir(`${name}-`);
const context = temp('cache-ctx');
const baseDir = temp('runner-temp');
writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY app.txt /\n');
writeFileSync(path.join(context, 'app.txt'), 'v1');

const input = (over: Partial<CacheInput> = {}): CacheInput => ({
  imageName: 'ghcr.io/acme/widget',
  path: 'acme/widget',
  platforms: [],
  context,
  file: path.join(context, 'Dockerfile'),
  buildArgs: [],
  target: '',
  baseDir,
  ...over,
});

/** What BuildKit would do with --cache-to: write a cache into `dir`. */
function build(dir: string, file: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), file);
}

const service = new FakeCacheService();
const saved = () => service.entries.filter((e) => e.finalized).map((e) => e.key);
const created = () => service.calls.filter((c) => c === 'CreateCacheEntry').length;

// @actions/cache talks on stdout as on a runner; the test's report is what matters here.
const write = process.stdout.write.bind(process.stdout);
beforeAll(async () => {
  process.stdout.write = () => true;
  await service.start();
  // @actions/cache reads its service, its temp directory and the workspace from the environment.
  Object.assign(process.env, service.env, { RUNNER_TEMP: temp('actions-temp'), GITHUB_WORKSPACE: temp('workspace') });
});
afterAll(async () => {
  process.stdout.write = write;
  await service.stop();
});

describe('the build cache', () => {
  it('is available only with an Actions cache service', () => {
    expect(createBuildCache({}).available()).toBe(false);
    expect(createBuildCache(service.env).available()).toBe(true);
    expect(createBuildCache({ ACTIONS_CACHE_URL: 'https://cache.example/' }).available()).toBe(true);
  });

  it('keys on the image path, the platforms and what the build reads, in one directory per image', async () => {
    const cache = createBuildCache(service.env);
    const native = await cache.restore(input());
    const multi = await cache.restore(input({ platforms: ['linux/amd64', 'linux/arm64'] }));
    expect(native.key).toMatch(/^ghcr-publish-acme-widget-native-[0-9a-f]{32}$/);
    expect(multi.key).toMatch(/^ghcr-publish-acme-widget-linux-amd64\+linux-arm64-[0-9a-f]{32}$/);
    expect(native.to).toMatch(new RegExp(`^${baseDir}/ghcr-publish-cache-[0-9a-f]{12}\\.next$`));
    expect(multi.to).not.toBe(native.to);
    expect((await cache.restore(input({ buildArgs: ['A=1'] }))).to).toBe(native.to);
    expect((await cache.restore(input({ imageName: 'ghcr.io/acme/other' }))).to).not.toBe(native.to);
  });
});

describe('across runs, through @actions/cache', () => {
  const cache = createBuildCache({ ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: 'set' });
  /** An image of its own and a build context of its own, for one test: no test sees another's cache or files. */
  const fresh = () => {
    const dir = temp('cache-ctx');
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY app.txt /\n');
    writeFileSync(path.join(dir, 'app.txt'), 'v1');
    const name = path
      .basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
    return {
      dir,
      image: input({ imageName: `ghcr.io/acme/${name}`, path: `acme/${name}`, context: dir, file: path.join(dir, 'Dockerfile') }),
    };
  };
  /** A fresh runner: nothing of earlier runs is on disk. */
  const freshRunner = () => readdirSync(baseDir).forEach((f) => rmSync(path.join(baseDir, f), { recursive: true, force: true }));
  /** One run that misses and saves what its build wrote; its key. */
  const firstRun = async (image: CacheInput, wrote = 'first') => {
    freshRunner();
    const use = await cache.restore(image);
    build(use.to, wrote);
    await cache.save(use);
    return use.key;
  };

  it('misses, then saves what the build wrote', async () => {
    const { image } = fresh();
    freshRunner();
    const use = await cache.restore(image);
    expect(use).toEqual({ key: expect.stringMatching(/^ghcr-publish-acme-[a-z0-9]+-native-/), to: expect.any(String), hit: 'miss' });
    build(use.to, 'first');
    await cache.save(use);
    expect(saved()).toContain(use.key);
    // Saved, the cache leaves the runner's disk: restored on a fresh runner, it is what the build wrote.
    expect(existsSync(use.to)).toBe(false);
    expect(existsSync(use.to.replace(/\.next$/, ''))).toBe(false);
    freshRunner();
    const next = await cache.restore(image);
    expect(next.hit).toBe('exact');
    expect(readdirSync(next.from!)).toEqual(['first']);
  });

  it('hits the exact key for an unchanged context, and does not save it again', async () => {
    const { image } = fresh();
    await firstRun(image);
    freshRunner();
    const use = await cache.restore(image);
    expect(use.hit).toBe('exact');
    expect(use.restoredKey).toBe(use.key);
    expect(readdirSync(use.from!)).toEqual(['first']);
    const before = created();
    await cache.save(use);
    expect(created()).toBe(before);
    expect(existsSync(use.from!)).toBe(false);
  });

  it('restores the newest cache of the image for a changed context, which the new one replaces', async () => {
    const { dir, image } = fresh();
    const first = await firstRun(image);
    freshRunner();
    writeFileSync(path.join(dir, 'app.txt'), 'v2');
    const use = await cache.restore(image);
    expect(use).toMatchObject({ hit: 'partial', restoredKey: first });
    expect(use.key).not.toBe(first);
    expect(readdirSync(use.from!)).toEqual(['first']);
    build(use.to, 'new');
    await cache.save(use);
    expect(saved().filter((k) => k === first || k === use.key)).toEqual([first, use.key]);

    freshRunner();
    const next = await cache.restore(image);
    expect(next).toMatchObject({ hit: 'exact', restoredKey: use.key });
    expect(readdirSync(next.from!)).toEqual(['new']);
  });

  it('starts the new cache empty, whatever an earlier run left where BuildKit writes', async () => {
    const { image } = fresh();
    const stale = (await cache.restore(image)).to;
    build(stale, 'stale');
    expect(existsSync((await cache.restore(image)).to)).toBe(false);
  });

  it('saves nothing when the build wrote no cache', async () => {
    const { image } = fresh();
    freshRunner();
    const before = created();
    await cache.save(await cache.restore(image));
    expect(created()).toBe(before);
  });

  it('goes on as a miss with nothing saved when the service refuses, as @actions/cache warns itself', async () => {
    // A cache of the image exists, so a service that answered would give a partial hit.
    const { dir, image } = fresh();
    await firstRun(image);
    freshRunner();
    writeFileSync(path.join(dir, 'app.txt'), 'v2');
    const token = process.env.ACTIONS_RUNTIME_TOKEN;
    process.env.ACTIONS_RUNTIME_TOKEN = 'wrong';
    try {
      const use = await cache.restore(image);
      expect(use.hit).toBe('miss');
      build(use.to, 'x');
      await cache.save(use);
      expect(saved()).not.toContain(use.key);
    } finally {
      process.env.ACTIONS_RUNTIME_TOKEN = token;
    }
  });

  it('throws when what the build reads cannot be hashed, for the caller to warn', async () => {
    const { dir, image } = fresh();
    writeFileSync(path.join(dir, '.dockerignore'), 'node_modules\n[unclosed\n');
    await expect(cache.restore(image)).rejects.toThrow(`${path.join(dir, '.dockerignore')}: "[unclosed" is not a valid pattern`);
  });
});
