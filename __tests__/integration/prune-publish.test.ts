import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeGitHub } from '../support/github.js';
import { hasTag } from '../support/inspect.js';
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
    expect(second.stdout).toMatch(/::warning::.*admin role/);
    expect(second.outputs.pruned).toBe('');
    expect(await readable('acme/gadget', first.outputs.digest)).toBe(true);
  });
});
