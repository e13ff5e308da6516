import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readContext } from '../../src/runner/github-context.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

function eventFile(payload: unknown): string {
  const file = path.join(tempDir('event-'), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}
const event = (headRepo: string) => eventFile({ pull_request: { head: { repo: { full_name: headRepo } } } });

describe('the workflow run', () => {
  it('knows the API of github.com, GHE.com and a GitHub Enterprise Server', () => {
    expect(readContext({}).apiUrl).toBe('https://api.github.com');
    expect(readContext({ GITHUB_SERVER_URL: 'https://octo.ghe.com' }).apiUrl).toBe('https://api.octo.ghe.com');
    expect(readContext({ GITHUB_SERVER_URL: 'https://git.example.com/' }).apiUrl).toBe('https://git.example.com/api/v3');
  });

  it.each([
    ['a pull request from a fork', { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event('someone/widget') }, true],
    ['a pull request from the repository itself', { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event('Acme/Widget') }, false],
    ['a Dependabot run', { GITHUB_EVENT_NAME: 'push', GITHUB_ACTOR: 'dependabot[bot]' }, true],
    ['a push', { GITHUB_EVENT_NAME: 'push' }, false],
  ])('%s has a read-only token: %s', (_what, env, readOnly) => {
    expect(readContext({ GITHUB_REPOSITORY: 'acme/widget', ...env }).readOnlyToken).toBe(readOnly);
  });

  it("reads the repository's default branch from the event payload, when it names one", () => {
    expect(readContext({ GITHUB_EVENT_PATH: eventFile({ repository: { default_branch: 'trunk' } }) }).defaultBranch).toBe('trunk');
    expect(readContext({ GITHUB_EVENT_PATH: eventFile({ repository: { default_branch: 7 } }) }).defaultBranch).toBeUndefined();
    expect(readContext({}).defaultBranch).toBeUndefined();
  });
});
