import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyLayers, rawManifest } from '../../support/inspect.js';
import { pushEvent } from '../../support/jobs.js';
import { failure } from '../../support/observe.js';
import { type TestRegistry, startRegistry } from '../../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../../support/runner.js';
import { tempDir } from '../../../__fixtures__/temp-dir.js';

// Serial: each build starts from an emptied engine build cache, as on a fresh runner, so only
// reproducibility (the commit's time, file timestamps rewritten) can make two digests equal.
const run = promisify(execFile);
const TOKEN = 'ghs_reproducibleTestToken0001';
const CREDS = `octo-bot:${TOKEN}`;
const SHA = 'd4e5f60718293a4b5c6d7e8f9012345678a1b2c3';
const COMMIT_TIME = '2026-02-03T04:05:06Z';
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry({
    kind: 'htpasswd',
    users: { 'octo-bot': TOKEN },
  });
});
afterAll(() => registry.stop());

/** The checkout: a busybox image whose RUN writes a file, so a layer is made at build time. */
function checkout(dir: string): void {
  copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","sh","-c","echo hi > /built.txt"]\n',
  );
}

/** A job on a fresh runner whose engine has no build cache. */
async function build(
  ref: string,
  inputs: Record<string, string>,
  options: {
    sha?: string;
    event?: boolean;
    workspace?: (dir: string) => void;
  } = {},
): Promise<StepResult> {
  await run('docker', ['buildx', 'prune', '--all', '--force']);
  const runner = new Runner();
  (options.workspace ?? checkout)(runner.workspace);
  const sha = options.sha ?? SHA;
  const github: GitHub = {
    repository: 'Acme/Widget',
    actor: 'octo-bot',
    token: TOKEN,
    ref,
    sha,
  };
  const env = options.event === false ? {} : pushEvent(sha, COMMIT_TIME);
  const step = await runner.main(github, { registry: registry.host, ...inputs }, env);
  expect(failure(step)).toBe('');
  return step;
}

const digestOf = async (ref: string) => (await rawManifest(`${registry.host}/acme/${ref}`, CREDS)).digest;

/** `mtime path` of every file in the image's layers, in UTC. */
async function layerFiles(ref: string): Promise<string[]> {
  const dir = await copyLayers(`${registry.host}/acme/${ref}`, CREDS);
  const lines: string[] = [];
  for (const file of readdirSync(dir)) {
    const listed = await run('tar', ['-tvf', path.join(dir, file), '--full-time'], { env: { ...process.env, TZ: 'UTC' } }).catch(
      () => undefined,
    );
    for (const line of listed?.stdout.split('\n') ?? []) {
      const m = line.match(/(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+)$/);
      if (m) lines.push(`${m[1]} ${m[2]}`);
    }
  }
  return lines;
}

describe('the same commit built twice, build cache emptied between', () => {
  let first: string;
  let second: string;
  beforeAll(async () => {
    await build('refs/heads/main', { image: 'repro', tags: 'edge' });
    first = await digestOf('repro:edge');
    await build('refs/heads/main', { image: 'repro', tags: 'edge' });
    second = await digestOf('repro:edge');
  });

  it('gets the same digest in the registry', () => {
    expect(second).toBe(first);
  });

  it("dates the files the build wrote, and the image, at the commit's time", async () => {
    expect(await layerFiles('repro:edge')).toContain('2026-02-03 04:05:06 built.txt');
    const created = await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      CREDS,
      '--format',
      '{{.Created}}',
      `docker://${registry.host}/acme/repro:edge`,
    ]);
    expect(new Date(created.stdout.trim()).toISOString()).toBe('2026-02-03T04:05:06.000Z');
  });

  it('gets another digest with reproducible: false', async () => {
    await build('refs/heads/main', {
      image: 'repro',
      tags: 'edge',
      reproducible: 'false',
    });
    expect(await digestOf('repro:edge')).not.toBe(first);
  });
});

describe('a re-run of a reproducible release on a fresh runner', () => {
  it('is already published: it succeeds and pushes nothing', async () => {
    const published = await build('refs/tags/v1.0.0', { image: 'rerun' });
    const held = await digestOf('rerun:1.0.0');
    expect(published.outputs.digest).toBe(held);
    const again = await build('refs/tags/v1.0.0', { image: 'rerun' });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Already published');
    expect(again.outputs.digest).toBe(held);
    expect(await digestOf('rerun:1.0.0')).toBe(held);
  });
});

describe('the commit time from a checkout, with no event payload', () => {
  it('gives the same digest twice, and says where the time came from', async () => {
    const repo = tempDir('checkout-');
    checkout(repo);
    const git = (...args: string[]) =>
      run('git', ['-C', repo, ...args], {
        env: {
          ...process.env,
          GIT_AUTHOR_DATE: COMMIT_TIME,
          GIT_COMMITTER_DATE: COMMIT_TIME,
        },
      });
    await git('init', '-q');
    await git('add', '.');
    await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one');
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    const digests: string[] = [];
    for (let i = 0; i < 2; i++) {
      const step = await build(
        'refs/heads/main',
        { image: 'checkout', tags: 'edge' },
        {
          sha,
          event: false,
          workspace: (dir) => cpSync(repo, dir, { recursive: true }),
        },
      );
      expect(step.summary).toContain('2026-02-03T04:05:06.000Z (from the checked-out commit)');
      digests.push(await digestOf('checkout:edge'));
    }
    expect(digests[1]).toBe(digests[0]);
  });
});
