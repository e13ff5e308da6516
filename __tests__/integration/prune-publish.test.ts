import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeGitHub } from '../support/github.js';
import { PRUNE_MAX_DELETES } from '../../src/github/prune.js';
import { hasTag } from '../support/inspect.js';
import { OciPusher } from '../support/oci-push.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';

// prune-untagged through the bundled action: a branch publish that moves `main` prunes the image it
// moved from, on GitHub's rules (the stand-in's Packages API, backed by the real registry).
const ADMIN = 'ghs_prunePublishAdminJob000001';
const READ_ONLY_API = 'ghs_prunePublishNoAdminJob0002';
const github = new FakeGitHub(
  {
    [ADMIN]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Widget', packagesWrite: true },
    [READ_ONLY_API]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Gadget', packagesWrite: true },
  },
  [{ owner: 'acme', name: 'gadget', repository: 'Acme/Gadget', visibility: 'private', adminRepository: 'Acme/Other' }],
  ['acme'],
);
beforeAll(() => github.start());
afterAll(() => github.stop());

async function publish(repo: string, token: string, content: string, inputs: Record<string, string> = {}): Promise<StepResult> {
  const runner = new Runner();
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(runner.workspace, 'hello.txt'), content);
  const gh: GitHub = { repository: repo, actor: 'octocat', token, ref: 'refs/heads/main' };
  return runner.main(gh, { registry: github.host, 'registry-type': 'ghcr', tags: 'main', ...inputs }, { GITHUB_API_URL: github.apiUrl });
}

/** The step's warnings about pruning, as the runner shows them (not the link check's, about packages pushed here unlabelled). */
const warnings = (step: StepResult) =>
  [...step.stdout.matchAll(/^::warning::(.*)$/gm)].map((m) => m[1].replace(/%0A/g, '\n')).filter((w) => !w.startsWith('The package '));

const readable = async (repo: string, digest: string) => hasTag(`${github.host}/${repo}@${digest}`, `github-actions:${ADMIN}`);

describe('a publish with prune-untagged', () => {
  it('deletes the image the moved tag left untagged, keeps what is tagged, and outputs what it deleted', async () => {
    const first = await publish('Acme/Widget', ADMIN, `first ${Date.now()}\n`);
    const second = await publish('Acme/Widget', ADMIN, `second ${Date.now()}\n`);
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    expect(second.outputs.pruned).toBe('');
    expect(await readable('acme/widget', first.outputs.digest)).toBe(true);

    const third = await publish('Acme/Widget', ADMIN, `third ${Date.now()}\n`, { 'prune-untagged': '0' });
    expect(third.exitCode).toBe(0);
    expect(third.outputs.pruned.split('\n').sort()).toEqual([first.outputs.digest, second.outputs.digest].sort());
    expect(third.summary).toContain(first.outputs.digest);
    expect(await readable('acme/widget', first.outputs.digest)).toBe(false);
    expect(await readable('acme/widget', second.outputs.digest)).toBe(false);
    expect(await readable('acme/widget', third.outputs.digest)).toBe(true);
  });

  it('keeps young untagged versions', async () => {
    const first = await publish('Acme/Widget', ADMIN, `young ${Date.now()}\n`);
    const second = await publish('Acme/Widget', ADMIN, `younger ${Date.now()}\n`, { 'prune-untagged': '7d' });
    expect(second.exitCode).toBe(0);
    expect(second.outputs.pruned).toBe('');
    expect(await readable('acme/widget', first.outputs.digest)).toBe(true);
  });

  it('with a token that may not delete: a warning naming the permission, a successful publish, nothing deleted', async () => {
    const first = await publish('Acme/Gadget', READ_ONLY_API, `gadget ${Date.now()}\n`);
    const second = await publish('Acme/Gadget', READ_ONLY_API, `gadget again ${Date.now()}\n`, { 'prune-untagged': '0' });
    expect(second.exitCode).toBe(0);
    // GitHub answers a DELETE without the admin role with 404 "Package not found." (canonical/authd#1376).
    expect(warnings(second)).toEqual([
      expect.stringMatching(
        /^Pruning stopped before deleting any: .*HTTP 404 \(Package not found\.\)\. GitHub answers so when the token lacks the admin role on the package\./,
      ),
    ]);
    expect(second.outputs.pruned).toBe('');
    expect(await readable('acme/gadget', first.outputs.digest)).toBe(true);
  });
});

describe("within the Packages API's limits", () => {
  const DAY = 86_400_000;
  /** `count` old untagged versions of `image`, pushed straight to the registry as the publishing repository. */
  async function oldUntagged(image: string, count: number): Promise<string[]> {
    const pusher = new OciPusher(github.host, `acme/${image}`, `github-actions:${ADMIN}`);
    const digests: string[] = [];
    for (let i = 0; i < count; i++)
      digests.push((await pusher.image(undefined, 'linux/amd64', 'old', { annotations: { n: String(i) } })).digest);
    for (const d of digests) github.versions.setCreated(d, new Date(Date.now() - 30 * DAY));
    return digests;
  }
  const left = (image: string, digests: string[]) => github.versions.list(`acme/${image}`).filter((v) => digests.includes(v.name)).length;
  const api = (from: number) => github.requests.slice(from).filter((r) => / \/api\//.test(r));

  it('a rate limit mid-prune: stops with a warning saying how far it got, and the next publish goes on', async () => {
    const old = await oldUntagged('limited', 5);
    // A publish that prunes nothing (the old versions are younger than 60 days) shows what a run asks before deleting.
    github.limits.reset();
    let from = github.requests.length;
    const looked = await publish('Acme/Widget', ADMIN, `limited ${Date.now()}\n`, { image: 'limited', 'prune-untagged': '60d' });
    expect(looked.outputs.pruned).toBe('');
    const before = api(from).length;
    // The repository's hour: what a run asks before deleting, and two deletions.
    github.limits.reset();
    github.limits.hourly['github-token'] = before + 2;
    try {
      from = github.requests.length;
      const stopped = await publish('Acme/Widget', ADMIN, `limited again ${Date.now()}\n`, { image: 'limited', 'prune-untagged': '20d' });
      expect(stopped.exitCode).toBe(0);
      expect(api(from).filter((r) => r.startsWith('DELETE'))).toHaveLength(3);
      expect(warnings(stopped)).toEqual([
        expect.stringMatching(
          /^Pruning stopped after deleting 2 of 5: .*API rate limit exceeded.*: GitHub's API rate limit until \d{4}-.*the next publish goes on/,
        ),
      ]);
      expect(stopped.outputs.pruned.split('\n')).toHaveLength(2);
      expect(left('limited', old)).toBe(3);

      // The next hour.
      github.limits.hourly['github-token'] = 1000;
      github.limits.reset();
      const next = await publish('Acme/Widget', ADMIN, `limited once more ${Date.now()}\n`, { image: 'limited', 'prune-untagged': '20d' });
      expect(warnings(next)).toEqual([]);
      expect(left('limited', old)).toBe(0);
    } finally {
      github.limits.hourly['github-token'] = 1000;
      github.limits.reset();
    }
  });

  it(`deletes at most ${PRUNE_MAX_DELETES} a run, says so, and the next publish deletes the rest`, async () => {
    const old = await oldUntagged('many', PRUNE_MAX_DELETES + 5);
    const first = await publish('Acme/Widget', ADMIN, `many ${Date.now()}\n`, { image: 'many', 'prune-untagged': '7d' });
    expect(first.exitCode).toBe(0);
    expect(warnings(first)).toEqual([
      `Pruned ${PRUNE_MAX_DELETES} of ${PRUNE_MAX_DELETES + 5} untagged versions that no kept image needs: at most ${PRUNE_MAX_DELETES} a run, within GitHub's API rate limits; the next publish deletes more.`,
    ]);
    expect(left('many', old)).toBe(5);
    const next = await publish('Acme/Widget', ADMIN, `many again ${Date.now()}\n`, { image: 'many', 'prune-untagged': '7d' });
    expect(warnings(next)).toEqual([]);
    expect(left('many', old)).toBe(0);
  });

  it('a public version downloaded over 5,000 times is kept, said as GitHub says it, and the others go', async () => {
    const old = await oldUntagged('popular', 3);
    github.packages.find((p) => p.name === 'popular')!.visibility = 'public';
    github.versions.setDownloads(old[1], 6000);
    const step = await publish('Acme/Widget', ADMIN, `popular ${Date.now()}\n`, { image: 'popular', 'prune-untagged': '7d' });
    expect(step.exitCode).toBe(0);
    expect(warnings(step)).toEqual([expect.stringContaining(`GitHub refused to delete, and keeps: ${old[1]} (version `)]);
    expect(warnings(step)[0]).toContain('downloaded more than 5,000 times');
    expect(github.versions.list('acme/popular').map((v) => v.name)).toContain(old[1]);
    expect(left('popular', old)).toBe(1);
  });
});
