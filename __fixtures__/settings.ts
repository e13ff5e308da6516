import type { GitHubContext } from '../src/github-context.js';
import type { Settings } from '../src/inputs.js';

/** A valid release publish to ghcr.io, for tests to vary. */
export function settings(over: Partial<Settings> = {}): Settings {
  const tags = over.tags ?? ['1.2.3', 'latest'];
  return {
    registry: 'ghcr.io',
    registryType: 'ghcr',
    owner: 'acme',
    repository: 'Acme/Widget',
    path: 'acme/widget',
    imageName: 'ghcr.io/acme/widget',
    references: tags.map((t) => `ghcr.io/acme/widget:${t}`),
    token: 'ghs_token',
    username: 'octocat',
    pat: '',
    patSource: 'CR_PAT',
    tokenSecretName: 'CR_PAT',
    patUsername: 'octocat',
    context: '.',
    file: 'Dockerfile',
    buildArgs: [],
    target: '',
    platforms: [],
    secrets: [],
    cache: true,
    provenance: false,
    labels: {},
    description: '',
    licenses: '',
    push: true,
    logout: true,
    ...over,
    tags,
  };
}

export const context: GitHubContext = {
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  repository: 'Acme/Widget',
  repositoryOwner: 'Acme',
  ref: 'refs/tags/v1.2.3',
  sha: '0123456789abcdef0123456789abcdef01234567',
  actor: 'octocat',
  eventName: 'push',
  runId: '1',
  runAttempt: '1',
  readOnlyToken: false,
  ownerType: 'Organization',
};
