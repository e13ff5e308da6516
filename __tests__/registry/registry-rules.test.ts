import { describe, expect, it } from '@jest/globals';
import {
  canonicalRegistry,
  checkRegistryHost,
  defaultRegistry,
  detectType,
  imagePath,
  registryBaseUrl,
} from '../../src/registry/registry-rules.js';

describe('the registry of the server the workflow runs on', () => {
  it.each([
    ['https://github.com', 'ghcr.io'],
    ['https://octo.ghe.com', 'containers.octo.ghe.com'],
    ['https://github.example.com', 'containers.github.example.com'],
  ])('%s → %s', (server, registry) => {
    expect(defaultRegistry(server)).toBe(registry);
  });
});

describe('registry types, detected from the host', () => {
  it.each([
    ['ghcr.io', 'https://github.com', 'ghcr'],
    ['containers.octo.ghe.com', 'https://octo.ghe.com', 'ghcr'],
    ['containers.github.example.com', 'https://github.example.com', 'ghcr'],
    ['docker.github.example.com', 'https://github.example.com', 'docker-pkg'],
    ['docker.io', 'https://github.com', 'generic'],
    ['registry.example.com:5000', 'https://github.com', 'generic'],
    ['127.0.0.1:5000', 'https://github.com', 'generic'],
  ])('%s on %s is %s', (host, server, type) => {
    expect(detectType(host, server)).toBe(type);
  });

  it('puts the repository in docker-pkg paths', () => {
    expect(imagePath('docker-pkg', 'acme', 'widget', 'api')).toBe('acme/widget/api');
    expect(imagePath('ghcr', 'acme', 'widget', 'api')).toBe('acme/api');
  });
});

describe('the registry input', () => {
  it('accepts hosts, ports, a scheme or a trailing slash', () => {
    expect(checkRegistryHost('GHCR.io', '')).toBe('ghcr.io');
    expect(checkRegistryHost('https://registry.example.com:5000/', '')).toBe('registry.example.com:5000');
    expect(checkRegistryHost('[::1]:5000', '')).toBe('[::1]:5000');
  });

  it('refuses the retired docker.pkg.github.com with the date and the ghcr.io image', () => {
    expect(() => checkRegistryHost('docker.pkg.github.com', 'ghcr.io/acme/widget')).toThrow(
      /retired on 2025-02-24.*ghcr\.io\/acme\/widget/,
    );
  });

  it.each(['ghcr.io/acme', 'two words', ''])('refuses %j', (host) => {
    expect(() => checkRegistryHost(host, '')).toThrow("Input 'registry'");
  });

  it('speaks plain HTTP only to loopback', () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('[::1]:5000')).toBe('http://[::1]:5000');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
  });
});

describe('Docker Hub', () => {
  it.each(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Docker.IO'])(
    '%s is docker.io, its API at registry-1.docker.io',
    (host) => {
      const registry = checkRegistryHost(host, '');
      expect(registry).toBe('docker.io');
      expect(registryBaseUrl(registry)).toBe('https://registry-1.docker.io');
      expect(registryBaseUrl(host.toLowerCase())).toBe('https://registry-1.docker.io');
    },
  );

  it('other hosts keep their name', () => {
    expect(canonicalRegistry('quay.io')).toBe('quay.io');
    expect(canonicalRegistry('hub.docker.com')).toBe('hub.docker.com');
  });
});
