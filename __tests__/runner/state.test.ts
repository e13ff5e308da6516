import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as state from '../../src/runner/state.js';
import { parseFileCommand } from '../support/runner.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const saved = { ...process.env };
let stateFile: string;

beforeEach(() => {
  stateFile = path.join(tempDir('state-'), 'state');
  writeFileSync(stateFile, '');
  process.env = Object.fromEntries(Object.entries(saved).filter(([k]) => !k.startsWith('STATE_')));
  process.env.GITHUB_STATE = stateFile;
});
afterEach(() => {
  process.env = { ...saved };
});

/** Hands what the main step saved to the post step, as the runner does. */
function asPostStep(): void {
  for (const [key, value] of Object.entries(parseFileCommand(readFileSync(stateFile, 'utf8')))) process.env[`STATE_${key}`] = value;
}

describe('the state the main step hands the post step', () => {
  it('carries every value the post step needs, each under its own name', () => {
    state.saveConfigDir('/t/ghcr-publish-config-a');
    state.saveRegistry('ghcr.io');
    state.saveLoggedIn();
    state.saveLogout(false);
    state.saveBuilder('ghcr-publish-42-1');
    state.saveBuildxDir('/home/u/.docker/buildx');
    state.saveSecretsDir('/t/ghcr-publish-secrets-b');
    state.saveBuildOutputDir('/t/ghcr-publish-build-c');
    state.saveCredentialHelperDir('/t/ghcr-publish-config-a/bin');
    asPostStep();
    expect(state.anySaved()).toBe(true);
    expect(state.read()).toEqual({
      configDir: '/t/ghcr-publish-config-a',
      registry: 'ghcr.io',
      loggedIn: true,
      logout: false,
      builder: 'ghcr-publish-42-1',
      buildxDir: '/home/u/.docker/buildx',
      secretsDir: '/t/ghcr-publish-secrets-b',
      buildOutputDir: '/t/ghcr-publish-build-c',
      credentialHelperDir: '/t/ghcr-publish-config-a/bin',
    });
  });

  it('is empty when the main step saved nothing: no switch or marker of its own', () => {
    asPostStep();
    expect(readFileSync(stateFile, 'utf8')).toBe('');
    expect(state.anySaved()).toBe(false);
    expect(state.read()).toMatchObject({ configDir: '', loggedIn: false, builder: '', secretsDir: '' });
  });

  it('logs out unless the main step saved logout: false', () => {
    state.saveConfigDir('/t/ghcr-publish-config-a');
    asPostStep();
    expect(state.read().logout).toBe(true);
  });

  it('counts any one value as state', () => {
    state.saveSecretsDir('/t/ghcr-publish-secrets-b');
    asPostStep();
    expect(state.anySaved()).toBe(true);
  });
});
