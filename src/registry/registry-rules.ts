import { ActionError } from '../runner/index.js';

export type RegistryType = 'ghcr' | 'docker-pkg' | 'generic';
export const REGISTRY_TYPES = ['auto', 'ghcr', 'docker-pkg', 'generic'] as const;

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/;

/** Docker Hub's names: one registry, whose API is at registry-1.docker.io (with its token service at auth.docker.io). */
const DOCKER_HUB = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
export const DOCKER_HUB_API = 'registry-1.docker.io';

/** A registry as names show it: Docker Hub's hosts are all `docker.io`; any other host as given. */
export function canonicalRegistry(host: string): string {
  return DOCKER_HUB.includes(host) ? 'docker.io' : host;
}

export function isDockerHub(host: string): boolean {
  return canonicalRegistry(host) === 'docker.io';
}

/** The Container registry of the GitHub server the workflow runs on. */
export function defaultRegistry(serverUrl: string): string {
  const host = new URL(serverUrl).host.toLowerCase();
  if (host === 'github.com') return 'ghcr.io';
  return `containers.${host}`;
}

/**
 * Normalises the `registry` input to a host[:port] and refuses the retired github.com registry,
 * naming the ghcr.io image to use instead.
 */
export function checkRegistryHost(raw: string, ghcrSuggestion: string): string {
  const host = raw
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (host === 'docker.pkg.github.com') {
    throw new ActionError(
      "docker.pkg.github.com, GitHub's legacy Docker registry, was retired on 2025-02-24 and its images moved to ghcr.io.",
      `Set registry: ghcr.io (or leave it empty); this image is ${ghcrSuggestion} there.`,
      'registry',
    );
  }
  if (!HOST.test(host)) {
    throw new ActionError(
      `"${raw}" is not a registry host: give a host name with an optional port, without a path.`,
      'Use for example "ghcr.io" or "registry.example.com:5000".',
      'registry',
    );
  }
  return canonicalRegistry(host);
}

/** Which rules apply to `host` when `registry-type` is `auto`. */
export function detectType(host: string, serverUrl: string): RegistryType {
  const server = new URL(serverUrl).host.toLowerCase();
  const bare = host.replace(/:\d+$/, '');
  if (bare === 'ghcr.io' || bare.startsWith('containers.')) return 'ghcr';
  if (server !== 'github.com' && bare === `docker.${server}`) return 'docker-pkg';
  return 'generic';
}

/** The repository path inside the registry: docker-pkg packages live inside a repository. */
export function imagePath(type: RegistryType, owner: string, repoName: string, image: string): string {
  return type === 'docker-pkg' ? `${owner}/${repoName}/${image}` : `${owner}/${image}`;
}

/** Where a registry's API is: Docker Hub's at registry-1.docker.io; loopback registries speak plain HTTP, as the docker engine allows them to. */
export function registryBaseUrl(host: string): string {
  if (isDockerHub(host)) return `https://${DOCKER_HUB_API}`;
  const bare = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = bare === 'localhost' || /^127\./.test(bare) || bare === '::1';
  return `${loopback ? 'http' : 'https'}://${host}`;
}
