import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { FakeCacheService } from '../support/cache-service.js';
import { widgetJobs } from '../support/github.js';
import { imageConfig, rawManifest } from '../support/inspect.js';
import { type Job, WorkflowRun, forkPullRequestEvent, helloContext, localImages, removeLocalImages } from '../support/jobs.js';
import { built, failure, listTags, notices } from '../support/observe.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import type { GitHub } from '../support/runner.js';

// One multi-platform image from a matrix of platform jobs and a merge job, each job on a machine
// of its own, sharing only the workflow run (id, attempt) and the Actions cache. Asserted from
// the registry, read with skopeo.
const TOKEN = 'ghs_mergeTestToken0000000001';
const CREDS = `octo-bot:${TOKEN}`;
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const cache = new FakeCacheService();
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry({
    kind: 'htpasswd',
    users: { 'octo-bot': TOKEN },
  });
  await cache.start();
});
afterAll(async () => {
  await cache.stop();
  await registry.stop();
});

const github = (ref: string, sha = 'e5f60718293a4b5c6d7e8f9012345678a1b2c3d4'): GitHub => ({
  repository: 'Acme/Widget',
  actor: 'octo-bot',
  token: TOKEN,
  ref,
  sha,
});

interface Index {
  manifests: {
    digest: string;
    platform: { os: string; architecture: string };
  }[];
  annotations?: Record<string, string>;
}

/** The matrix: one job per platform, at once, each building `content` for its platform. */
async function platformJobs(run: WorkflowRun, image: string, content: string, platforms = PLATFORMS, attempt = 1): Promise<Job[]> {
  const jobs = await Promise.all(
    platforms.map((platform) =>
      run.job(
        {
          registry: registry.host,
          image,
          platforms: platform,
          push: 'by-digest',
        },
        {
          attempt,
          workspace: (dir) => helloContext(dir, `${content} ${platform}\n`),
        },
      ),
    ),
  );
  for (const job of jobs) if (job.main.exitCode !== 0) throw new Error(`a platform job failed:\n${job.main.stdout}`);
  // Each job's machine goes away with its engine.
  await removeLocalImages(registry.host);
  return jobs;
}

const mergeJob = (run: WorkflowRun, image: string, attempt = 1, more: Record<string, string> = {}) =>
  run.job(
    {
      registry: registry.host,
      image,
      merge: PLATFORMS.join(','),
      description: 'Merged widget',
      licenses: 'MIT',
      ...more,
    },
    { attempt },
  );

const indexOf = async (ref: string) =>
  (await rawManifest(`${registry.host}/acme/${ref}`, CREDS)) as {
    digest: string;
    json: unknown;
  };

describe('platform jobs, then the merge job', () => {
  const run = new WorkflowRun(cache, github('refs/tags/v2.1.0'));
  let jobs: Job[];
  let tagsBeforeMerge: string[];
  let dryRun: Job;
  let merge: Job;
  beforeAll(async () => {
    jobs = await platformJobs(run, 'merged', randomUUID());
    dryRun = await mergeJob(run, 'merged', 1, { 'dry-run': 'true' });
    tagsBeforeMerge = await listTags(`${registry.host}/acme/merged`, CREDS);
    merge = await mergeJob(run, 'merged');
  });

  it('each platform job pushes its platform image by digest, and no release tag', async () => {
    expect(tagsBeforeMerge).toEqual([]);
    for (const [i, job] of jobs.entries()) {
      const { digest, json } = await rawManifest(`${registry.host}/acme/merged@${job.main.outputs.digest}`, CREDS);
      expect(digest).toBe(job.main.outputs.digest);
      expect(json).toHaveProperty('config');
      const arch = PLATFORMS[i].split('/')[1];
      expect(await imageConfig(`${registry.host}/acme/merged@${digest}`, CREDS)).toMatchObject({ architecture: arch, os: 'linux' });
    }
  });

  it('leaves nothing in the engine for the merge job: it builds and runs nothing', async () => {
    expect(await localImages(registry.host)).toEqual([]);
    expect(failure(merge.main)).toBe('');
    expect(built(merge.main)).toBe(false);
    expect(merge.main.dockerCalls).toEqual([]);
  });

  it('publishes one index of exactly the platform jobs’ images under every release tag', async () => {
    for (const tag of ['2.1.0', '2.1', '2', 'latest']) expect((await indexOf(`merged:${tag}`)).digest).toBe(merge.main.outputs.digest);
    const index = (await indexOf('merged:2.1.0')).json as Index;
    expect(index.manifests.map((m) => m.digest)).toEqual(jobs.map((j) => j.main.outputs.digest));
    expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(PLATFORMS);
  });

  it('shows the merge in the plan of a dry run, which publishes nothing', () => {
    expect(failure(dryRun.main)).toBe('');
    expect(dryRun.main.stdout).toContain(
      "what: merge the images this workflow run's platform jobs pushed for linux/amd64, linux/arm64 into one index",
    );
    expect(dryRun.main.stdout).toContain('index annotations: org.opencontainers.image.source=https://github.com/Acme/Widget');
    expect(tagsBeforeMerge).toEqual([]);
  });

  it('is already published when the merge job is re-run: the same index, nothing moved', async () => {
    const again = await mergeJob(run, 'merged', 2);
    expect(failure(again.main)).toBe('');
    expect(again.main.stdout).toContain('Already published');
    expect(again.main.outputs.digest).toBe(merge.main.outputs.digest);
    expect((await indexOf('merged:2.1.0')).digest).toBe(merge.main.outputs.digest);
  });

  it('carries the linking annotations on the index', async () => {
    expect(((await indexOf('merged:2.1.0')).json as Index).annotations).toEqual({
      'org.opencontainers.image.source': 'https://github.com/Acme/Widget',
      'org.opencontainers.image.description': 'Merged widget',
      'org.opencontainers.image.licenses': 'MIT',
    });
  });
});

describe('a merge job that misses a platform', () => {
  it('fails naming the platform, and publishes nothing; another image of the same run does not stand in', async () => {
    const run = new WorkflowRun(cache, github('refs/tags/v2.2.0'));
    await platformJobs(run, 'partial', randomUUID(), ['linux/amd64']);
    await platformJobs(run, 'bystander', randomUUID(), ['linux/arm64']);
    const merge = await mergeJob(run, 'partial');
    expect(merge.main.exitCode).toBe(1);
    expect(failure(merge.main)).toContain('no image of linux/arm64 was pushed');
    expect(failure(merge.main)).not.toContain('linux/amd64,');
    expect(await listTags(`${registry.host}/acme/partial`, CREDS)).toEqual([]);
  });
});

describe('a re-run of a platform job, then of the merge job', () => {
  it("publishes the re-run's image", async () => {
    const run = new WorkflowRun(cache, github('refs/tags/v2.3.0'));
    const [amd, firstArm] = await platformJobs(run, 'rerun', 'first attempt');
    const [rerunArm] = await platformJobs(run, 'rerun', 'second attempt, a file changed', ['linux/arm64'], 2);
    expect(rerunArm.main.outputs.digest).not.toBe(firstArm.main.outputs.digest);
    const merge = await mergeJob(run, 'rerun', 2);
    expect(failure(merge.main)).toBe('');
    const index = (await indexOf('rerun:2.3.0')).json as Index;
    expect(index.manifests.map((m) => m.digest)).toEqual([amd.main.outputs.digest, rerunArm.main.outputs.digest]);
  });
});

describe('two workflow runs at once', () => {
  it('never mix: each merge gathers its own run’s images', async () => {
    const a = new WorkflowRun(cache, github('refs/heads/a', 'aaaaaaa718293a4b5c6d7e8f9012345678a1b2c3'));
    const b = new WorkflowRun(cache, github('refs/heads/b', 'bbbbbbb718293a4b5c6d7e8f9012345678a1b2c3'));
    const [jobsA, jobsB] = await Promise.all([platformJobs(a, 'runs', 'run a'), platformJobs(b, 'runs', 'run b')]);
    const mergeB = await mergeJob(b, 'runs');
    const mergeA = await mergeJob(a, 'runs');
    expect([mergeA.main.exitCode, mergeB.main.exitCode]).toEqual([0, 0]);
    expect(((await indexOf('runs:a')).json as Index).manifests.map((m) => m.digest)).toEqual(jobsA.map((j) => j.main.outputs.digest));
    expect(((await indexOf('runs:b')).json as Index).manifests.map((m) => m.digest)).toEqual(jobsB.map((j) => j.main.outputs.digest));
    expect((await indexOf('runs:a')).digest).not.toBe((await indexOf('runs:b')).digest);
  });
});

describe('the hand-over, known before building', () => {
  // A read-only cache token (pull_request_target, check_run: actions/toolkit#2429) or a cache mode
  // that forbids writes (ACTIONS_CACHE_MODE, actions/toolkit#2447) would leave a pushed image the
  // merge job never finds: the platform job stops before its build.
  const expectNothingDone = async (job: Job, image: string) => {
    expect(job.main.exitCode).toBe(1);
    expect(built(job.main)).toBe(false);
    expect(job.main.dockerCalls.filter((c) => c.startsWith('buildx build') || c.startsWith('push'))).toEqual([]);
    expect(job.main.stdout).not.toContain('retrying');
    expect(await listTags(`${registry.host}/acme/${image}`, CREDS)).toEqual([]);
  };

  it('a read-only cache token: the platform job fails in seconds, building and pushing nothing', async () => {
    const readOnly = new FakeCacheService();
    readOnly.readOnly = true;
    await readOnly.start();
    try {
      const run = new WorkflowRun(readOnly, github('refs/heads/main'));
      const job = await run.job(
        { registry: registry.host, image: 'readonly', platforms: 'linux/arm64', push: 'by-digest' },
        { workspace: (dir) => helloContext(dir, 'read-only\n') },
      );
      await expectNothingDone(job, 'readonly');
      expect(failure(job.main)).toContain('cache write denied');
      expect(readOnly.entries).toEqual([]);
    } finally {
      await readOnly.stop();
    }
  });

  it('ACTIONS_CACHE_MODE=read: the platform job fails before its build; write-only: the merge job fails saying so', async () => {
    const run = new WorkflowRun(cache, github('refs/heads/main'));
    const job = await run.job(
      { registry: registry.host, image: 'readmode', platforms: 'linux/arm64', push: 'by-digest' },
      { env: { ACTIONS_CACHE_MODE: 'read' }, workspace: (dir) => helloContext(dir, 'read mode\n') },
    );
    await expectNothingDone(job, 'readmode');
    expect(failure(job.main)).toContain('ACTIONS_CACHE_MODE=read');
    const merge = await run.job(
      { registry: registry.host, image: 'readmode', merge: PLATFORMS.join(',') },
      { env: { ACTIONS_CACHE_MODE: 'write-only' } },
    );
    expect(merge.main.exitCode).toBe(1);
    expect(failure(merge.main)).toContain('ACTIONS_CACHE_MODE=write-only');
  });

  it('GitHub Enterprise Server (the v1 cache service, ACTIONS_CACHE_URL): platform jobs and merge work', async () => {
    const ghes = { ...github('refs/tags/v4.0.0'), server_url: 'https://ghes.example.com' };
    const run = new WorkflowRun(cache, ghes, undefined, cache.enterpriseEnv);
    const calls = cache.calls.length;
    const jobs = await platformJobs(run, 'enterprise', randomUUID());
    const merge = await mergeJob(run, 'enterprise');
    expect(failure(merge.main)).toBe('');
    const index = (await indexOf('enterprise:4.0.0')).json as Index;
    expect(index.manifests.map((m) => m.digest)).toEqual(jobs.map((j) => j.main.outputs.digest));
    const used = cache.calls.slice(calls);
    expect(used.every((c) => c.startsWith('v1 '))).toBe(true);
    expect(used).toEqual(expect.arrayContaining(['v1 POST caches', 'v1 PATCH caches/{id}', 'v1 POST caches/{id}', 'v1 GET cache']));
  });

  it('GitHub Enterprise Server without the cache service: the platform job says before building what to do', async () => {
    const ghes = { ...github('refs/heads/main'), server_url: 'https://ghes.example.com' };
    const run = new WorkflowRun(cache, ghes, undefined, { ACTIONS_RUNTIME_TOKEN: cache.token });
    const job = await run.job(
      { registry: registry.host, image: 'nocache', platforms: 'linux/arm64', push: 'by-digest' },
      { workspace: (dir) => helloContext(dir, 'no cache\n') },
    );
    await expectNothingDone(job, 'nocache');
    expect(failure(job.main)).toContain('ACTIONS_CACHE_URL is not set');
    expect(failure(job.main)).toContain('An administrator of the server enables the Actions cache');
  });
});

describe('on GitHub rules', () => {
  const WRITE = 'ghs_mergeJobWithPackagesWrite01';
  const READ = 'ghs_mergeForkPullRequestToken02';
  const gh = widgetJobs(WRITE, READ);
  beforeAll(() => gh.start());
  afterAll(() => gh.stop());
  const inputs = (more: Record<string, string>) => ({
    registry: gh.host,
    'registry-type': 'ghcr',
    image: 'widget',
    ...more,
  });

  it('the same flow with GITHUB_TOKEN publishes the index, linked to the repository', async () => {
    const run = new WorkflowRun(cache, {
      repository: 'Acme/Widget',
      actor: 'octocat',
      token: WRITE,
      ref: 'refs/tags/v3.0.0',
      sha: 'f60718293a4b5c6d7e8f9012345678a1b2c3d4e5',
    });
    const env = { GITHUB_API_URL: gh.apiUrl };
    const jobs = await Promise.all(
      PLATFORMS.map((p) =>
        run.job(inputs({ platforms: p, push: 'by-digest' }), {
          env,
          workspace: (dir) => helloContext(dir, `ghcr ${p} ${randomUUID()}\n`),
        }),
      ),
    );
    await removeLocalImages(gh.host);
    const signed = gh.signedUrls.requests.length;
    const merge = await run.job(inputs({ merge: PLATFORMS.join(',') }), {
      env,
    });
    // Each platform image's config was read where the registry redirected it, without the credential.
    expect(gh.signedUrls.requests.slice(signed).map((r) => [r.authorization, r.status])).toEqual([
      [false, 200],
      [false, 200],
    ]);
    expect(jobs.map((j) => failure(j.main))).toEqual(['', '']);
    expect(failure(merge.main)).toBe('');
    expect(merge.main.outputs['token-source']).toBe('github-token');
    expect(merge.main.outputs['package-url']).toBe('https://github.com/orgs/acme/packages/container/package/widget');
    const index = await rawManifest(`${gh.host}/acme/widget:3.0.0`, `octocat:${WRITE}`);
    expect(index.digest).toBe(merge.main.outputs.digest);
    expect((index.json as unknown as Index).manifests.map((m) => m.digest)).toEqual(jobs.map((j) => j.main.outputs.digest));
  });

  it('a fork pull request builds each platform and skips the pushes and the merge, one notice each', async () => {
    const run = new WorkflowRun(cache, {
      repository: 'Acme/Widget',
      actor: 'forker',
      token: READ,
      ref: 'refs/pull/7/merge',
      event_name: 'pull_request',
    });
    const env = forkPullRequestEvent('forker/widget');
    const jobs = await Promise.all(
      PLATFORMS.map((p) =>
        run.job(inputs({ image: 'forked', platforms: p, push: 'by-digest' }), {
          env,
          workspace: (dir) => helloContext(dir, `fork ${p}\n`),
        }),
      ),
    );
    const merge = await run.job(inputs({ image: 'forked', merge: PLATFORMS.join(',') }), { env });
    for (const step of [...jobs.map((j) => j.main), merge.main]) {
      expect(step.exitCode).toBe(0);
      expect(step.stdout).not.toMatch(/^::(error|warning)/m);
      // One notice says why nothing is pushed; with no commit time in a pull request's payload, another may say the build is not reproducible.
      expect(notices(step).filter((n) => !n.includes('reproducible:'))).toEqual([
        expect.stringContaining('read-only by design (a pull request from a fork), and no PAT was given.'),
      ]);
    }
    expect(jobs.map((j) => built(j.main))).toEqual([true, true]);
    expect(notices(merge.main).filter((n) => n.includes('Nothing is merged.'))).toHaveLength(1);
    expect(gh.versions.list('acme/forked')).toEqual([]);
    expect(gh.requests.filter((r) => /^(PUT|PATCH) \/v2\/acme\/forked\//.test(r))).toEqual([]);
  });
});
