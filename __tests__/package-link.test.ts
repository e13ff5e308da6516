import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../__fixtures__/settings.js';
import { documentedPackageUrl, packageName } from '../src/package-link.js';

describe("the package's name and page", () => {
  it.each([
    ['ghcr', 'acme/widget', 'widget'],
    ['ghcr', 'acme/tools/cli', 'tools/cli'],
    ['docker-pkg', 'acme/widget/api', 'api'],
  ] as const)('%s path %s is package %s', (registryType, path, name) => {
    expect(packageName(settings({ registryType, path }))).toBe(name);
  });

  it('is under /orgs for an organization the event names, with a nested name escaped', () => {
    expect(documentedPackageUrl(settings({ path: 'acme/tools/cli' }), context)).toBe('https://github.com/orgs/acme/packages/container/package/tools%2Fcli');
  });

  it('is under /users otherwise, and says docker for the legacy registry', () => {
    expect(documentedPackageUrl(settings(), { ...context, ownerType: 'User' })).toBe('https://github.com/users/acme/packages/container/package/widget');
    expect(documentedPackageUrl(settings({ registryType: 'docker-pkg', path: 'acme/widget/api' }), { ...context, ownerType: '' })).toBe(
      'https://github.com/users/acme/packages/docker/package/api',
    );
  });
});
