import { describe, expect, it, jest } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { type Credential, chooseCredential, tokenCannotPush, tokenKind } from '../../src/plan/credentials.js';
import { ActionError } from '../../src/runner/errors.js';
import { RegistryError } from '../../src/registry/registry-client.js';

describe('token kinds, by prefix only', () => {
  it.each([
    ['ghs_x', 'github-token'],
    ['ghp_x', 'classic-pat'],
    ['github_pat_x', 'fine-grained-pat'],
    ['gho_x', 'oauth'],
    ['ghu_x', 'app-user'],
    ['s3cret', 'unknown'],
    [`ghp_${'a'.repeat(500)}`, 'classic-pat'],
  ])('%s is %s', (secret, kind) => {
    expect(tokenKind(secret)).toBe(kind);
  });
});

describe('where the rules already say GITHUB_TOKEN cannot push', () => {
  it.each([
    ['its own namespace on ghcr.io', settings(), context, undefined],
    ["another owner's namespace", settings({ owner: 'other' }), context, "another owner's namespace"],
    ['a fork pull request', settings(), { ...context, readOnlyToken: true }, 'read-only'],
    ['docker-pkg inside its repository', settings({ registryType: 'docker-pkg', path: 'acme/widget/api' }), context, undefined],
    [
      'docker-pkg in another repository',
      settings({ registryType: 'docker-pkg', path: 'acme/gadget/api' }),
      context,
      "this workflow's repository",
    ],
    ['a generic registry, whatever the owner', settings({ registryType: 'generic', owner: 'other' }), context, undefined],
  ])('%s', (_what, s, ctx, reason) => {
    const said = tokenCannotPush(s, ctx);
    expect(said === undefined).toBe(reason === undefined);
    expect(said ?? '').toContain(reason ?? '');
  });
});

const refuse = (words: string, status = 403) => new RegistryError(status, words, 'starting an upload');

function checker(refusals: Partial<Record<'github-token' | 'pat', RegistryError>>) {
  const tried: string[] = [];
  const check = async (c: Credential) => {
    tried.push(c.source);
    const refusal = refusals[c.source];
    if (refusal) throw refusal;
  };
  return { tried, check };
}

const warn = jest.fn();

describe('choosing the credential', () => {
  it('uses GITHUB_TOKEN when it may push, without trying the PAT', async () => {
    const { tried, check } = checker({});
    const choice = await chooseCredential(settings({ pat: 'ghp_x' }), context, check, warn);
    expect(choice.credential?.source).toBe('github-token');
    expect(tried).toEqual(['github-token']);
  });

  it('falls back to the PAT when the check refuses GITHUB_TOKEN', async () => {
    const { tried, check } = checker({ 'github-token': refuse('denied: permission_denied: write_package') });
    const choice = await chooseCredential(settings({ pat: 'ghp_x', patUsername: 'robot' }), context, check, warn);
    expect(choice.credential).toMatchObject({ source: 'pat', username: 'robot' });
    expect(tried).toEqual(['github-token', 'pat']);
  });

  it("goes straight to the PAT for another owner's namespace", async () => {
    const { tried, check } = checker({});
    const choice = await chooseCredential(settings({ owner: 'other', pat: 'ghp_x' }), context, check, warn);
    expect(choice.credential?.source).toBe('pat');
    expect(tried).toEqual(['pat']);
  });

  it("fails at once for another owner's namespace without a PAT, with the one-scope token link", async () => {
    const { tried, check } = checker({});
    const choice = chooseCredential(settings({ owner: 'other' }), context, check, warn);
    await expect(choice).rejects.toThrow("another owner's namespace");
    await expect(choice).rejects.toThrow('https://github.com/settings/tokens/new?scopes=write:packages');
    await expect(choice).rejects.toThrow('env: CR_PAT: ${{ secrets.CR_PAT }}');
    expect(tried).toEqual([]);
  });

  it('skips the push on a read-only run without a PAT', async () => {
    const { check } = checker({});
    const choice = await chooseCredential(settings(), { ...context, readOnlyToken: true }, check, warn);
    expect(choice.skipped).toContain('read-only by design');
  });

  it('names every credential tried, with the registry words and the fix', async () => {
    const { check } = checker({
      'github-token': refuse('denied: installation not allowed to Create organization package'),
      pat: refuse('denied: permission_denied: The token provided does not match expected scopes.'),
    });
    const err = (await chooseCredential(settings({ pat: 'ghp_x', patSource: 'CR_PAT' }), context, check, warn).catch(
      (e: unknown) => e,
    )) as ActionError;
    expect(err).toBeInstanceOf(ActionError);
    expect(err.message).toContain(
      '- token (GITHUB_TOKEN) (as octocat): starting an upload: HTTP 403: denied: installation not allowed to Create organization package',
    );
    expect(err.message).toContain('permissions: packages: write');
    expect(err.message).toContain('- the PAT from CR_PAT (as octocat):');
    expect(err.message).toContain('lacks the write:packages scope');
  });

  it('warns before using a fine-grained PAT', async () => {
    const warned = jest.fn();
    const { check } = checker({ 'github-token': refuse('denied: permission_denied: write_package') });
    await chooseCredential(settings({ pat: 'github_pat_x' }), context, check, warned);
    expect(warned).toHaveBeenCalledWith(expect.stringContaining('accepts only classic PATs'));
  });
});

describe('a registry in trouble during the push check', () => {
  it('is not blamed on the credential: the failure says the registry did not answer, and to re-run', async () => {
    const { check } = checker({ 'github-token': refuse('unavailable: service unavailable', 503) });
    const failure = chooseCredential(settings(), context, check, warn);
    await expect(failure).rejects.toThrow('the registry did not answer properly');
    await expect(chooseCredential(settings(), context, check, warn)).rejects.toThrow('Re-run the job later');
  });
});
