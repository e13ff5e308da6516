import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import type { Credential } from '../../src/plan/credentials.js';
import { GitHubApiError, type PackageInfo, type PackagesApi } from '../../src/github/github-api.js';
import { defaultRetry } from '../../src/registry/http-retry.js';
import { checkPackageLink, documentedPackageUrl, packageName } from '../../src/github/package-link.js';

describe("the package's name and page", () => {
  it.each([
    ['ghcr', 'acme/widget', 'widget'],
    ['ghcr', 'acme/tools/cli', 'tools/cli'],
    ['docker-pkg', 'acme/widget/api', 'api'],
  ] as const)('%s path %s is package %s', (registryType, path, name) => {
    expect(packageName(settings({ registryType, path }))).toBe(name);
  });

  it('is under /orgs for an organization the event names, with a nested name escaped', () => {
    expect(documentedPackageUrl(settings({ path: 'acme/tools/cli' }), context)).toBe(
      'https://github.com/orgs/acme/packages/container/package/tools%2Fcli',
    );
  });

  it('is under /users otherwise, and says docker for the legacy registry', () => {
    expect(documentedPackageUrl(settings(), { ...context, ownerType: 'User' })).toBe(
      'https://github.com/users/acme/packages/container/package/widget',
    );
    expect(documentedPackageUrl(settings({ registryType: 'docker-pkg', path: 'acme/widget/api' }), { ...context, ownerType: '' })).toBe(
      'https://github.com/users/acme/packages/docker/package/api',
    );
  });
});

describe('the link check', () => {
  const token = {
    source: 'github-token',
    label: 'token (GITHUB_TOKEN)',
    username: 'octocat',
    secret: 'ghs_x',
    kind: 'github-token',
  } as Credential;
  const noWait = { ...defaultRetry, sleep: async () => undefined };
  /** A fake API answering `answers` in turn; records what it was asked. */
  function api(...answers: (PackageInfo | Error)[]) {
    const asked: string[] = [];
    const fake: PackagesApi = {
      getPackage: async (owner, type, name) => {
        asked.push(`${owner} ${type} ${name}`);
        const answer = answers.shift() as PackageInfo | Error;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      listVersions: async () => ({ versions: [], complete: true }),
      deleteVersion: async () => undefined,
    };
    return { fake, asked };
  }

  it('reports a package linked to this repository, asked by its nested name', async () => {
    const { fake, asked } = api({
      html_url: 'https://github.com/orgs/acme/packages/container/package/tools%2Fcli',
      visibility: 'public',
      repository: { full_name: 'Acme/Widget' },
    });
    const link = await checkPackageLink(settings({ path: 'acme/tools/cli' }), context, token, { api: fake, retry: noWait });
    expect(link).toEqual({
      packageUrl: 'https://github.com/orgs/acme/packages/container/package/tools%2Fcli',
      lines: ['linked repository: Acme/Widget', 'visibility: public'],
    });
    expect(asked).toEqual(['acme container tools/cli']);
  });

  it('asks once more when the first push has not shown its link yet, then says how to connect it', async () => {
    const { fake, asked } = api({ visibility: 'private', repository: null }, { visibility: 'private', repository: null });
    const link = await checkPackageLink(settings({ registryType: 'docker-pkg', path: 'acme/widget/api' }), context, token, {
      api: fake,
      retry: noWait,
    });
    expect(asked).toEqual(['acme docker api', 'acme docker api']);
    expect(link.warning).toContain('The package api is not linked to any repository, not to Acme/Widget');
    expect(link.packageUrl).toBe('https://github.com/orgs/acme/packages/docker/package/api');
  });

  it("compares with the repository the source label names (the repository input), not the workflow's", async () => {
    const linkedTo = (full_name: string) => api({ visibility: 'public', repository: { full_name } }).fake;
    const elsewhere = settings({ repository: 'Acme/Images' });
    const ok = await checkPackageLink(elsewhere, context, token, { api: linkedTo('acme/images'), retry: noWait });
    expect(ok.warning).toBeUndefined();
    const off = await checkPackageLink(elsewhere, context, token, { api: linkedTo('Acme/Widget'), retry: noWait });
    expect(off.warning).toContain('is linked to Acme/Widget, not to Acme/Images (the repository its org.opencontainers.image.source');
    expect(off.warning).toContain('add Acme/Images with the Write role');
  });

  it("is a notice with GitHub's words and the documented page when the API refuses", async () => {
    const { fake } = api(new GitHubApiError(403, 'Resource not accessible by integration', false));
    const link = await checkPackageLink(settings(), context, token, { api: fake, retry: noWait });
    expect(link.notice).toBe(
      "The package's link to its repository was not checked: the GitHub API answered HTTP 403 (Resource not accessible by integration) for token (GITHUB_TOKEN).",
    );
    expect(link.packageUrl).toBe('https://github.com/orgs/acme/packages/container/package/widget');
  });
});
