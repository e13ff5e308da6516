import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputErrors } from '../src/errors.js';
import { type GitHubContext, readContext } from '../src/github-context.js';
import { readSettings } from '../src/inputs.js';

const context = mkdtempSync(path.join(os.tmpdir(), 'ctx-'));
writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\n');
const ctx: GitHubContext = readContext({
  GITHUB_REPOSITORY: 'Acme/Widget',
  GITHUB_ACTOR: 'octocat',
  GITHUB_REF: 'refs/tags/v1.2.3',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
});

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  setInputs({ token: 'ghs_abc', context });
});
afterEach(() => {
  process.env = saved;
  jest.restoreAllMocks();
});

function setInputs(inputs: Record<string, string>): void {
  for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.toUpperCase()}`] = v;
}

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputErrors) return e.errors.map((x) => x.input ?? '');
    throw e;
  }
  return [];
}

describe('settings from the defaults of a release run', () => {
  it('names the image on ghcr.io after the lower-cased repository and derives the tags', () => {
    const s = readSettings(ctx, {});
    expect(s).toMatchObject({
      registry: 'ghcr.io',
      registryType: 'ghcr',
      owner: 'acme',
      repository: 'Acme/Widget',
      path: 'acme/widget',
      imageName: 'ghcr.io/acme/widget',
      tags: ['1.2.3', '1.2', '1', 'latest'],
      username: 'octocat',
      push: true,
      cache: true,
      provenance: false,
      logout: true,
      file: path.join(context, 'Dockerfile'),
    });
    expect(s.references[0]).toBe('ghcr.io/acme/widget:1.2.3');
  });

  it('masks the token, the PAT and build secrets before anything else', () => {
    setInputs({ secrets: 'npm=s3cret-value' });
    const writes: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    readSettings(ctx, { CR_PAT: 'ghp_fallback' });
    expect(writes.filter((w) => w.startsWith('::add-mask::'))).toEqual([
      expect.stringContaining('ghs_abc'),
      expect.stringContaining('ghp_fallback'),
      expect.stringContaining('s3cret-value'),
    ]);
  });
});

describe('the PAT', () => {
  it('comes from the pat input first', () => {
    setInputs({ pat: 'ghp_input', 'pat-username': 'robot' });
    expect(readSettings(ctx, { CR_PAT: 'ghp_env' })).toMatchObject({ pat: 'ghp_input', patSource: 'pat', patUsername: 'robot' });
  });

  it('else from the variable token-secret-name names', () => {
    setInputs({ 'token-secret-name': 'ROBOT_PAT' });
    expect(readSettings(ctx, { ROBOT_PAT: 'ghp_env' })).toMatchObject({ pat: 'ghp_env', patSource: 'ROBOT_PAT', patUsername: 'octocat' });
  });
});

describe('parsed inputs', () => {
  it('reads KEY=VALUE lines, platforms and secrets', () => {
    setInputs({
      'build-args': 'A=1\n B=x=y \n',
      labels: 'com.example.a=b',
      platforms: 'linux/amd64, linux/arm64/v8',
      secrets: 'npm=abc\ngh.token=x=y',
      tags: 'edge',
    });
    expect(readSettings(ctx, {})).toMatchObject({
      buildArgs: ['A=1', 'B=x=y'],
      labels: { 'com.example.a': 'b' },
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      secrets: [
        { id: 'npm', value: 'abc' },
        { id: 'gh.token', value: 'x=y' },
      ],
      tags: ['edge'],
    });
  });

  it('puts the repository in the path for docker-pkg', () => {
    setInputs({ registry: 'docker.github.example.com', image: 'API' });
    const s = readSettings({ ...ctx, serverUrl: 'https://github.example.com' }, {});
    expect(s.registryType).toBe('docker-pkg');
    expect(s.imageName).toBe('docker.github.example.com/acme/widget/api');
  });

  it('accepts YAML booleans in any of their cases', () => {
    setInputs({ push: 'False', cache: 'FALSE', provenance: 'true', logout: 'True' });
    expect(readSettings(ctx, {})).toMatchObject({ push: false, cache: false, provenance: true, logout: true });
  });

  it('needs no credential when nothing is pushed', () => {
    setInputs({ token: '', push: 'false' });
    expect(readSettings(ctx, {}).token).toBe('');
  });
});

describe('build secrets of several lines', () => {
  const key = '-----BEGIN KEY-----\nAAAA\n-----END KEY-----';

  it('are read between id<<DELIMITER and DELIMITER, beside one-line ones', () => {
    setInputs({ secrets: `npm=abc\ndeploy_key<<EOF\n${key}\nEOF\nother=x` });
    expect(readSettings(ctx, {}).secrets).toEqual([
      { id: 'npm', value: 'abc' },
      { id: 'deploy_key', value: key },
      { id: 'other', value: 'x' },
    ]);
  });

  it('are masked whole and line by line', () => {
    setInputs({ secrets: `deploy_key<<EOF\n${key}\nEOF` });
    const writes: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    readSettings(ctx, {});
    const masked = writes.filter((w) => w.startsWith('::add-mask::')).map((w) => w.slice('::add-mask::'.length).trim());
    expect(masked).toEqual(expect.arrayContaining(['AAAA', '-----BEGIN KEY-----', '-----BEGIN KEY-----%0AAAAA%0A-----END KEY-----']));
  });

  it('need their closing line', () => {
    setInputs({ secrets: `deploy_key<<EOF\n${key}` });
    expect(() => readSettings(ctx, {})).toThrow('the value of "deploy_key" has no closing EOF line.');
  });
});

describe('every bad input is reported at once', () => {
  it('names each', () => {
    setInputs({ image: '.github', tags: 'a b', push: 'yes', platforms: 'linux', 'registry-type': 'nope' });
    expect(errorsOf(() => readSettings(ctx, {})).sort()).toEqual(['image', 'platforms', 'push', 'registry-type', 'tags']);
  });

  it('never quotes a build secret back', () => {
    setInputs({ secrets: 'bad id=hunter2' });
    try {
      readSettings(ctx, {});
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
      return;
    }
    throw new Error('expected a failure');
  });
});
