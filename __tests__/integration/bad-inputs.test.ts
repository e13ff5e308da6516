import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestRegistry, catalog, startRegistry } from '../support/registry.js';
import { type GitHub, Runner } from '../support/runner.js';

const TOKEN = 'ghs_badInputsToken0123456789';
let registry: TestRegistry;
const runner = new Runner();
const basic = Buffer.from(`octo-bot:${TOKEN}`).toString('base64');

beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /x\n');
});
afterAll(() => registry.stop());

const long = (n: number) => 'a'.repeat(n);

// [what is wrong, the input the error must name, inputs, changes to the workflow's context]
const cases: [string, string, Record<string, string>, Partial<GitHub>][] = [
  ['the retired docker.pkg.github.com', 'registry', { registry: 'docker.pkg.github.com' }, {}],
  ['a registry with a path', 'registry', { registry: 'https://ghcr.io/acme' }, {}],
  ['an unknown registry type', 'registry-type', { 'registry-type': 'dockerhub' }, {}],
  ['an owner with a space', 'owner', { owner: 'Acme Corp' }, {}],
  ['an owner with a slash', 'owner', { owner: 'acme/team' }, {}],
  ['a repository without owner', 'repository', { repository: 'widget' }, {}],
  ['an image starting with a dot', 'image', { image: '.github' }, {}],
  ['an image with two dots', 'image', { image: 'a..b' }, {}],
  ['an image with a space', 'image', { image: 'My Image' }, {}],
  ["a default image from the repository '.github'", 'image', {}, { repository: 'acme/.github' }],
  ['an image name over 255 characters', 'image', { image: long(250) }, {}],
  ['a tag with spaces', 'tags', { tags: 'not a tag' }, {}],
  ['a tag starting with a dash', 'tags', { tags: '-leading' }, {}],
  ['a tag of 129 characters', 'tags', { tags: long(129) }, {}],
  ['a tag starting with a dot among good ones', 'tags', { tags: 'v1,.hidden' }, {}],
  ['no tags and a ref that gives none', 'tags', {}, { ref: 'refs/notes/x', sha: '' }],
  ['push: yes', 'push', { push: 'yes' }, {}],
  ['cache: maybe', 'cache', { cache: 'maybe' }, {}],
  ['provenance: on', 'provenance', { provenance: 'on' }, {}],
  ['logout: nope', 'logout', { logout: 'nope' }, {}],
  ['a missing context', 'context', { context: 'missing-dir' }, {}],
  ['a missing Dockerfile', 'file', { file: 'nope/Dockerfile' }, {}],
  ['a build-arg without =', 'build-args', { 'build-args': 'NOVALUE' }, {}],
  ['a label without key', 'labels', { labels: '=x' }, {}],
  ['a platform without architecture', 'platforms', { platforms: 'linux' }, {}],
  ['a target that is no stage name', 'target', { target: 'bad stage!' }, {}],
  ['a secret without =', 'secrets', { secrets: 'no-equals-sign' }, {}],
  ['a description over 512 characters', 'description', { description: long(513) }, {}],
  ['licenses over 256 characters', 'licenses', { licenses: long(257) }, {}],
  ['no token and no PAT', 'token', { token: '' }, {}],
  ['a PAT variable name with a dash', 'token-secret-name', { 'token-secret-name': 'CR-PAT' }, {}],
  ['no username for the token', 'username', { username: '' }, { actor: '' }],
];

describe('a bad input fails the step before anything runs', () => {
  let before: string[];
  beforeAll(async () => {
    before = await catalog(registry, basic);
  });

  it.each(cases)('%s: names %s', async (_what, input, inputs, context) => {
    const github: GitHub = { repository: 'acme/widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main', ...context };
    const main = await runner.main(github, { registry: registry.host, ...inputs });
    expect(main.exitCode).toBe(1);
    const errors = main.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(2); // the input's own annotation, then the step's failure
    expect(errors[0]).toContain(`title=ghcr-publish%3A input '${input}'::Input '${input}':`);
    expect(main.dockerCalls).toEqual([]);
    expect(main.state.configDir).toBeUndefined();
    expect(await catalog(registry, basic)).toEqual(before);
  });

  it('reports every bad input of one step together', async () => {
    const github: GitHub = { repository: 'acme/widget', actor: 'octo-bot', token: TOKEN };
    const main = await runner.main(github, { registry: registry.host, image: 'Bad Name', tags: 'no good', push: 'maybe' });
    expect(main.exitCode).toBe(1);
    const named = [...main.stdout.matchAll(/^::error title=ghcr-publish%3A input '([\w-]+)'/gm)].map((m) => m[1]);
    expect(named.sort()).toEqual(['image', 'push', 'tags']);
    expect(main.stdout).toContain('3 inputs are invalid; nothing was built or pushed.');
    expect(main.summary).toContain('ghcr-publish failed');
    expect(main.summary).toContain("Input 'push': &quot;maybe&quot; is not true, false or by-digest.");
    expect(readdirSync(runner.temp)).toEqual([]);
  });
});
