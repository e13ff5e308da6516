import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { type FaultProxy, registryBehindProxy } from '../support/fault-proxy.js';
import { widgetJobs } from '../support/github.js';
import { helloContext, localImages } from '../support/jobs.js';
import { failure, listTags, seen } from '../support/observe.js';
import { type TestRegistry, catalog } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// dry-run: true resolves and prints everything and leaves no trace: not in the registry, the
// engine, the docker command log or on disk. The registry is read around each step.
const TOKEN = 'ghs_dryRunTestToken000000001';
const CREDS = `octo-bot:${TOKEN}`;
const BASIC = Buffer.from(CREDS).toString('base64');
const SHA = 'c3d4e5f60718293a4b5c6d7e8f9012345678a1b2';
let registry: TestRegistry;
let proxy: FaultProxy;
let HOST: string;

let stop: () => Promise<void>;
beforeAll(async () => {
  ({ registry, proxy, stop } = await registryBehindProxy({ 'octo-bot': TOKEN }));
  HOST = proxy.host;
});
afterAll(() => stop());

const github = (ref: string): GitHub => ({
  repository: 'Acme/Widget',
  actor: 'octo-bot',
  token: TOKEN,
  ref,
  sha: SHA,
});

/** Everything a step could leave behind, looked at from outside. */
async function traces(image: string) {
  return {
    catalog: await catalog(registry, BASIC),
    tags: await listTags(`${registry.host}/acme/${image}`, CREDS),
    engine: await localImages(HOST),
  };
}

/** A dry run on a fresh runner, main and post steps, with what it left around it. */
async function dryRun(ref: string, inputs: Record<string, string>) {
  const runner = new Runner();
  helloContext(runner.workspace, `dry ${randomUUID()}\n`);
  const before = await traces(inputs.image);
  const from = proxy.requests.length;
  const all = { registry: HOST, 'dry-run': 'true', ...inputs };
  const main = await runner.main(github(ref), all);
  const tempAfterMain = readdirSync(runner.temp);
  const post = await runner.post(github(ref), all, main.state);
  return {
    runner,
    main,
    post,
    before,
    after: await traces(inputs.image),
    tempAfterMain,
    writes: seen(proxy, from).filter(
      (r) => !/^(GET|HEAD|POST \/v2\/[^ ]+\/blobs\/uploads\/$|DELETE \/v2\/[^ ]+\/blobs\/uploads\/)/.test(r),
    ),
  };
}

describe('a dry run of a build', () => {
  let run: Awaited<ReturnType<typeof dryRun>>;
  beforeAll(async () => {
    run = await dryRun('refs/tags/v4.0.0', {
      image: 'dry',
      description: 'Dry widget',
    });
  });

  it('succeeds, prints the plan and sets image and tags', () => {
    expect(failure(run.main)).toBe('');
    expect(run.main.exitCode).toBe(0);
    expect(run.main.stdout).toContain('Dry run: nothing is built, logged in, pushed or written. The plan:');
    expect(run.main.stdout).toMatch(/^ {2}what: build, push once, set every tag on the registry$/m);
    expect(run.main.stdout).toContain(`${HOST}/acme/dry:4.0.0`);
    expect(run.main.stdout).toContain('may push to');
    expect(run.main.outputs.image).toBe(`${HOST}/acme/dry`);
    expect(run.main.outputs.tags.split('\n')).toEqual(['4.0.0', '4.0', '4', 'latest'].map((t) => `${HOST}/acme/dry:${t}`));
    expect(run.main.outputs.version).toBe('4.0.0');
    expect(run.main.summary).toContain('Dry run');
  });

  it('says which input gave which tags, and why, in the log and the summary', () => {
    for (const text of [
      'version-tags: {{version}},{{major}}.{{minor}},{{major}} on v4.0.0 → 4.0.0, 4.0, 4',
      'latest: auto, v4.0.0 is a stable version → latest',
    ]) {
      expect(run.main.stdout).toContain(text);
      expect(run.main.summary).toContain(text);
    }
  });

  it('leaves the registry as it was: only the push check (an upload session, cancelled) reached it', () => {
    expect(run.after.catalog).toEqual(run.before.catalog);
    expect(run.after.tags).toEqual([]);
    expect(run.writes).toEqual([]);
  });

  it("runs no docker command, so the engine's images and the command log stay as they were", () => {
    expect(run.main.dockerCalls).toEqual([]);
    expect(run.post.dockerCalls).toEqual([]);
    expect(run.after.engine).toEqual(run.before.engine);
  });

  it('writes nothing to disk: RUNNER_TEMP is empty after the main step, and no private docker config exists', () => {
    expect(run.tempAfterMain).toEqual([]);
    expect(run.main.state.configDir).toBeUndefined();
    expect(readdirSync(run.runner.temp)).toEqual([]);
    expect(run.post.exitCode).toBe(0);
  });
});

describe('a dry run of a promote', () => {
  it('names the image it would promote and changes nothing', async () => {
    // The branch workflow's image, published for real first.
    const branch = new Runner();
    helloContext(branch.workspace, `branch ${randomUUID()}\n`);
    const published = await branch.main(github('refs/heads/main'), {
      registry: HOST,
      image: 'promoted',
    });
    expect(published.exitCode).toBe(0);

    const run = await dryRun('refs/tags/v5.0.0', {
      image: 'promoted',
      promote: 'commit',
    });
    expect(failure(run.main)).toBe('');
    expect(run.main.stdout).toContain(`what: promote ${HOST}/acme/promoted:sha-c3d4e5f: manifests only, no build, the digest unchanged`);
    expect(run.main.outputs.tags.split('\n')).toHaveLength(4);
    expect(run.after.tags).toEqual(['main', 'sha-c3d4e5f']);
    expect(run.after.catalog).toEqual(run.before.catalog);
    expect(run.writes).toEqual([]);
    expect([...run.main.dockerCalls, ...run.post.dockerCalls]).toEqual([]);
    expect(run.tempAfterMain).toEqual([]);
  });
});

describe('a dry run on GitHub rules', () => {
  const WRITE = 'ghs_dryRunJobWithPackagesWrite1';
  const READ = 'ghs_dryRunJobWithoutPackages02';
  const gh = widgetJobs(WRITE, READ);
  beforeAll(() => gh.start());
  afterAll(() => gh.stop());

  const step = (token: string): Promise<StepResult> => {
    const runner = new Runner();
    helloContext(runner.workspace, `dry ${randomUUID()}\n`);
    const ctx: GitHub = {
      repository: 'Acme/Widget',
      actor: 'octocat',
      token,
      ref: 'refs/tags/v1.0.0',
      sha: SHA,
    };
    return runner.main(ctx, { registry: gh.host, 'registry-type': 'ghcr', 'dry-run': 'true' }, { GITHUB_API_URL: gh.apiUrl });
  };

  it('fails when no credential may push, naming it, and still touches nothing', async () => {
    const main = await step(READ);
    expect(main.exitCode).toBe(1);
    expect(failure(main)).toContain('No credential may push');
    expect(failure(main)).toContain('installation not allowed to Create organization package');
    expect(main.dockerCalls).toEqual([]);
    expect(gh.requests.filter((r) => /^(PUT|PATCH) /.test(r))).toEqual([]);
  });

  it('says GITHUB_TOKEN may push where it may, and publishes no package version', async () => {
    const main = await step(WRITE);
    expect(failure(main)).toBe('');
    expect(main.stdout).toContain('token (GITHUB_TOKEN) (as octocat) may push to');
    expect(main.dockerCalls).toEqual([]);
    expect(gh.versions.list('acme/widget')).toEqual([]);
    expect(gh.requests.filter((r) => /^(PUT|PATCH) /.test(r))).toEqual([]);
  });
});
