import { describe, expect, it } from '@jest/globals';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrivateConfig, privateConfigJson, removePrivateConfig } from '../src/docker-config.js';

describe("the private config, seeded from the user's", () => {
  it("keeps other registries' logins and drops the global store and our registry's entries", () => {
    expect(
      privateConfigJson(
        {
          auths: { 'ghcr.io': { auth: 'old' }, 'https://index.docker.io/v1/': { auth: 'hub' } },
          credHelpers: { 'ghcr.io': 'gh', 'gcr.io': 'gcloud' },
          credsStore: 'desktop',
          proxies: { default: {} },
        },
        'ghcr.io',
      ),
    ).toEqual({
      auths: { 'https://index.docker.io/v1/': { auth: 'hub' } },
      credHelpers: { 'gcr.io': 'gcloud' },
      proxies: { default: {} },
    });
  });

  it('is a fresh 0700 directory per run that shares the CLI plugins, and is removed whole', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'home-'));
    mkdirSync(path.join(home, 'cli-plugins'));
    writeFileSync(path.join(home, 'config.json'), '{"auths":{"ghcr.io":{"auth":"x"}}}');
    const base = mkdtempSync(path.join(os.tmpdir(), 'temp-'));
    const a = createPrivateConfig(base, 'ghcr.io', { DOCKER_CONFIG: home });
    const b = createPrivateConfig(base, 'ghcr.io', { DOCKER_CONFIG: home });
    expect(a).not.toBe(b);
    expect(statSync(a).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(a, 'config.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path.join(a, 'config.json'), 'utf8'))).toEqual({ auths: {}, credHelpers: {} });
    expect(lstatSync(path.join(a, 'cli-plugins')).isSymbolicLink()).toBe(true);
    removePrivateConfig(a);
    expect(existsSync(a)).toBe(false);
    expect(existsSync(path.join(home, 'cli-plugins'))).toBe(true);
  });
});
