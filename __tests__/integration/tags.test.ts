import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { imageConfig, rawManifest } from '../support/inspect.js';
import { eventFile } from '../support/jobs.js';
import { built, failure, listTags } from '../support/observe.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// Tags as users publish them, through the bundled action to a real registry, read back with skopeo:
// version-tags, latest, tag-prefix, tag-suffix, extra-tags, nightly, and the version baked in.
const TOKEN = 'ghs_tagsTestToken00000000001';
const CREDS = `octo-bot:${TOKEN}`;
const SHA = 'd4e5f60718293a4b5c6d7e8f9012345678a1b2c3';
const SHA_B = 'e5f60718293a4b5c6d7e8f9012345678a1b2c3d4';
let registry: TestRegistry;
const cleanup: string[] = [];
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
});
afterAll(async () => {
  await registry.stop();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** The event payload of a run in Acme/Widget, whose default branch is main; the commit made at a fixed time. */
function payload(sha: string): Record<string, string> {
  const env = eventFile({
    head_commit: { id: sha, timestamp: '2026-04-01T08:00:00Z' },
    repository: { default_branch: 'main', owner: { type: 'Organization' } },
    pull_request: { head: { repo: { full_name: 'Acme/Widget' } } },
  });
  cleanup.push(path.dirname(env.GITHUB_EVENT_PATH));
  return env;
}

/** One step on a fresh runner, building an image that bakes in APP_VERSION and BUILT from its build args. */
async function publish(
  run: { ref: string; event?: string; sha?: string },
  inputs: Record<string, string>,
  content = `${inputs.image} ${randomUUID()}\n`,
): Promise<StepResult> {
  const runner = new Runner();
  cleanup.push(runner.dir);
  writeFileSync(
    path.join(runner.workspace, 'Dockerfile'),
    'FROM scratch\nARG APP_VERSION=none\nARG BUILT=none\nENV APP_VERSION=$APP_VERSION BUILT=$BUILT\nCOPY hello.txt /hello.txt\n',
  );
  writeFileSync(path.join(runner.workspace, 'hello.txt'), content);
  const sha = run.sha ?? SHA;
  const github: GitHub = { repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref: run.ref, sha, event_name: run.event ?? 'push' };
  return runner.main(github, { registry: registry.host, ...inputs }, payload(sha));
}

const tagsOf = (image: string) => listTags(`${registry.host}/acme/${image}`, CREDS);
const digestOf = async (image: string, tag: string) => (await rawManifest(`${registry.host}/acme/${image}:${tag}`, CREDS)).digest;
const references = (step: StepResult) => step.outputs.tags.split('\n').map((r) => r.slice(r.lastIndexOf(':') + 1));

describe('a release of a variant: version-tags, tag-suffix, extra-tags and the version baked in', () => {
  let step: StepResult;
  beforeAll(async () => {
    step = await publish(
      { ref: 'refs/tags/v1.2.3' },
      {
        image: 'variant',
        'version-tags': 'v{{version}},v{{major}}.{{minor}}',
        'tag-suffix': '-alpine',
        'extra-tags': 'stable',
        'build-args': 'APP_VERSION={{version}}\nBUILT={{created}}',
        labels: 'com.example.ref={{ref-name}}\ncom.example.commit={{short-sha}}\ncom.example.kept={{other}}',
      },
    );
  });

  it('publishes every tag on one digest, and the registry holds exactly those', async () => {
    expect(failure(step)).toBe('');
    const tags = ['v1.2.3-alpine', 'v1.2-alpine', 'alpine', 'stable'];
    expect(references(step)).toEqual(tags);
    expect(await tagsOf('variant')).toEqual([...tags].sort());
    for (const tag of tags) expect(await digestOf('variant', tag)).toBe(step.outputs.digest);
  });

  it('sets the version output and bakes the version and the created time into the image', async () => {
    expect(step.outputs.version).toBe('1.2.3');
    const { config } = await imageConfig(`${registry.host}/acme/variant:alpine`, CREDS);
    const labels = config?.Labels ?? {};
    expect(config?.Env).toEqual(expect.arrayContaining(['APP_VERSION=1.2.3', `BUILT=${labels['org.opencontainers.image.created']}`]));
    expect(labels['org.opencontainers.image.created']).toBe('2026-04-01T08:00:00.000Z');
    expect(labels).toMatchObject({
      'org.opencontainers.image.version': '1.2.3',
      'com.example.ref': 'v1.2.3',
      'com.example.commit': SHA.slice(0, 7),
      'com.example.kept': '{{other}}',
    });
  });

  it('guards the tag holding the whole version: another commit cannot move it, and nothing is built', async () => {
    const other = await publish(
      { ref: 'refs/tags/v1.2.3', sha: SHA_B },
      { image: 'variant', 'version-tags': 'v{{version}},v{{major}}.{{minor}}', 'tag-suffix': '-alpine' },
    );
    expect(other.exitCode).toBe(1);
    expect(built(other)).toBe(false);
    expect(failure(other)).toContain(`${registry.host}/acme/variant:v1.2.3-alpine already holds ${step.outputs.digest}`);
    expect(await digestOf('variant', 'v1.2-alpine')).toBe(step.outputs.digest);
  });
});

describe('latest: default-branch', () => {
  it('puts latest on a push to the default branch, and not on a version tag', async () => {
    const main = await publish({ ref: 'refs/heads/main' }, { image: 'edge', latest: 'default-branch' });
    expect(failure(main)).toBe('');
    expect(references(main)).toEqual(['main', `sha-${SHA.slice(0, 7)}`, 'latest']);
    expect(main.outputs.version).toBe('main');
    expect(main.summary).toContain('latest: default-branch, main is the default branch → latest');

    const release = await publish({ ref: 'refs/tags/v2.1.0', sha: SHA_B }, { image: 'edge', latest: 'default-branch' });
    expect(failure(release)).toBe('');
    expect(references(release)).toEqual(['2.1.0', '2.1', '2']);
    expect(await tagsOf('edge')).toEqual(['2', '2.1', '2.1.0', 'latest', 'main', `sha-${SHA.slice(0, 7)}`]);
    expect(await digestOf('edge', 'latest')).toBe(main.outputs.digest);
  });
});

describe('runs that are not releases', () => {
  it('a scheduled run publishes nightly and the commit, with the prefix', async () => {
    const step = await publish(
      { ref: 'refs/heads/main', event: 'schedule' },
      { image: 'nightly', 'tag-prefix': 'app-', latest: 'default-branch' },
    );
    expect(failure(step)).toBe('');
    expect(await tagsOf('nightly')).toEqual(['app-nightly', `app-sha-${SHA.slice(0, 7)}`]);
    expect(step.outputs.version).toBe('nightly');
    const { config } = await imageConfig(`${registry.host}/acme/nightly:app-nightly`, CREDS);
    expect(config?.Labels?.['org.opencontainers.image.version']).toBe('nightly');
  });

  it("a pull request publishes pr-<n>, and with latest: true the variant's latest", async () => {
    const step = await publish(
      { ref: 'refs/pull/7/merge', event: 'pull_request' },
      { image: 'preview', latest: 'true', 'tag-suffix': '-slim' },
    );
    expect(failure(step)).toBe('');
    expect(await tagsOf('preview')).toEqual(['pr-7-slim', 'slim']);
    expect(step.outputs.version).toBe('pr-7');
  });

  it('a branch named like a version is a branch: its tag moves to the next commit', async () => {
    const first = await publish({ ref: 'refs/heads/v1.2.3' }, { image: 'branchy', 'build-args': 'APP_VERSION={{version}}' });
    const second = await publish({ ref: 'refs/heads/v1.2.3', sha: SHA_B }, { image: 'branchy' });
    expect(failure(first)).toBe('');
    expect(failure(second)).toBe('');
    expect(second.outputs.digest).not.toBe(first.outputs.digest);
    expect(await digestOf('branchy', 'v1.2.3')).toBe(second.outputs.digest);
    expect(await tagsOf('branchy')).toEqual(['sha-d4e5f60', 'sha-e5f6071', 'v1.2.3']);
    const { config } = await imageConfig(`${registry.host}/acme/branchy:sha-d4e5f60`, CREDS);
    expect(config?.Env).toContain('APP_VERSION=v1.2.3');
  });
});

describe('versions that publish only their whole version', () => {
  it.each([
    ['a prerelease, with a prefix', 'refs/tags/v2.0.0-rc.1', { 'tag-prefix': 'app-' }, ['app-2.0.0-rc.1'], '2.0.0-rc.1'],
    [
      'a 0.x version',
      'refs/tags/v0.4.1',
      { 'version-tags': '{{major}}.{{minor}}.{{patch}},{{major}}.{{minor}},{{raw}}' },
      ['0.4.1', 'v0.4.1', 'latest'],
      '0.4.1',
    ],
  ])('%s', async (_, ref, inputs, tags, version) => {
    const image = `zero-${randomUUID().slice(0, 8)}`;
    const step = await publish({ ref }, { image, ...inputs });
    expect(failure(step)).toBe('');
    expect(references(step)).toEqual(tags);
    expect(await tagsOf(image)).toEqual([...tags].sort());
    expect(step.outputs.version).toBe(version);
  });
});

describe('bad tag inputs', () => {
  it('fail the step before anything runs, all at once, each naming the input', async () => {
    const step = await publish(
      { ref: 'refs/tags/v1.2.3' },
      { image: 'refused', 'version-tags': '{{version}},{{build}}', 'tag-prefix': 'a/b', latest: 'always', 'extra-tags': 'not ok' },
    );
    expect(step.exitCode).toBe(1);
    expect(step.dockerCalls).toEqual([]);
    const text = failure(step);
    expect(text).toContain('4 inputs are invalid; nothing was built or pushed');
    for (const input of ['latest', 'tag-prefix', 'version-tags', 'extra-tags']) expect(text).toContain(`Input '${input}': `);
    expect(text).toContain('"{{build}}" holds {{build}}, which is not a placeholder');
    expect(await tagsOf('refused')).toEqual([]);
  });
});
