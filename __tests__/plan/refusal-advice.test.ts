import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { type Credential, tokenKind } from '../../src/plan/credentials.js';
import { RegistryError } from '../../src/registry/registry-client.js';
import { adviceFor } from '../../src/plan/refusal-advice.js';

const token: Credential = { source: 'github-token', label: 'token', username: 'octocat', secret: 'ghs_x', kind: 'github-token' };
const pat = (secret: string): Credential => ({ source: 'pat', label: 'pat', username: 'robot', secret, kind: tokenKind(secret) });
const refusal = (words: string, status = 403) => new RegistryError(status, words, 'starting an upload');

describe("what to do about the registry's words", () => {
  it.each([
    [
      'write_package with GITHUB_TOKEN',
      refusal('denied: permission_denied: write_package'),
      token,
      ['"Manage Actions access"', 'Write role', 'Acme/Widget', 'or use a PAT'],
    ],
    [
      'Create with GITHUB_TOKEN',
      refusal('denied: installation not allowed to Create organization package'),
      token,
      ['permissions: packages: write', '"Package creation"'],
    ],
    [
      'Write with GITHUB_TOKEN',
      refusal('denied: installation not allowed to Write organization package'),
      token,
      ['permissions: packages: write', '"Manage Actions access"'],
    ],
    [
      'Create with a robot PAT',
      refusal('denied: installation not allowed to Create organization package'),
      pat('ghp_x'),
      ['member of acme', 'outside collaborator', '"Package creation"', 'SSO'],
    ],
    [
      'an unknown token',
      refusal('unauthorized: unauthenticated: User cannot be authenticated with the token provided.', 401),
      pat('ghp_x'),
      ['expired or revoked', 'SSO', 'Authorize'],
    ],
    [
      'scopes with a classic PAT',
      refusal('denied: permission_denied: The token provided does not match expected scopes.'),
      pat('ghp_x'),
      ['write:packages', 'scopes=write:packages', 'do not add repo'],
    ],
    [
      'scopes with a fine-grained PAT',
      refusal('denied: permission_denied: The token provided does not match expected scopes.'),
      pat('github_pat_x'),
      ['does not accept fine-grained PATs'],
    ],
    [
      'scopes with an OAuth token',
      refusal('denied: permission_denied: The token provided does not match expected scopes.'),
      pat('gho_x'),
      ['OAuth token'],
    ],
    [
      'an organization that blocks classic PATs',
      refusal('denied: the organization has blocked access using classic personal access tokens'),
      pat('ghp_x'),
      ['blocks classic PATs'],
    ],
    ['a network failure', new Error('fetch failed'), token, ['could not be reached']],
  ])('%s', (_what, error, credential, says) => {
    const advice = adviceFor(error, credential, settings(), context);
    for (const s of says) expect(advice).toContain(s);
  });

  it.each([
    [
      'a 403 secondary rate limit',
      refusal('denied: You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'),
    ],
    ['a 429 that states its wait in the body', refusal('toomanyrequests: retry-after: 10.3ms, allowed: 2000/minute', 429)],
  ])('%s is a rate limit, never advice about the token', (_what, error) => {
    for (const credential of [token, pat('ghp_x')]) {
      const advice = adviceFor(error, credential, settings(), context);
      expect(advice).toContain('a rate limit');
      expect(advice).toContain('Re-run the job in a few minutes');
      expect(advice).not.toMatch(/PAT|permissions|write:packages|Manage Actions access/);
    }
  });

  it('a 403 that is not a rate limit keeps the permission advice', () => {
    const advice = adviceFor(refusal('denied: denied'), token, settings(), context);
    expect(advice).toContain('permissions: packages: write');
    expect(advice).not.toContain('rate limit');
  });

  it('keeps to plain words on a generic registry', () => {
    const generic = settings({ registryType: 'generic', registry: 'registry.example.com' });
    expect(adviceFor(refusal('unauthorized: authentication required', 401), token, generic, context)).toContain(
      'check the login name (octocat)',
    );
    expect(adviceFor(refusal('denied: requested access to the resource is denied'), token, generic, context)).toContain('push rights');
  });
});
