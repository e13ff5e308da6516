import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ACTION_DEFAULTS, INPUT_NAMES, readInputs } from '../../src/settings/inputs.js';

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: unknown }>;
};

let saved: NodeJS.ProcessEnv;
let writes: string[];
beforeEach(() => {
  saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  writes = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    writes.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  process.env = saved;
  jest.restoreAllMocks();
});

function setInputs(inputs: Record<string, string>): void {
  for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.toUpperCase()}`] = v;
}

const masked = () => writes.filter((w) => w.startsWith('::add-mask::')).map((w) => w.slice('::add-mask::'.length).trim());

describe('ACTION_DEFAULTS, the one table of defaults', () => {
  it("is action.yml's inputs with their defaults, exactly and in order (expressions as text)", () => {
    const declared = Object.entries(action.inputs).map(([name, spec]) => [name, spec.default]);
    expect(Object.entries(ACTION_DEFAULTS)).toEqual(declared);
    expect(INPUT_NAMES).toEqual(Object.keys(action.inputs));
  });

  it('has a default for every input of action.yml, written as a string', () => {
    for (const spec of Object.values(action.inputs)) expect(typeof spec.default).toBe('string');
  });
});

describe('readInputs only reads', () => {
  it('returns every input as the runner gave it, trimmed, and empty when not given', () => {
    setInputs({ push: ' yes ', 'prune-untagged': '7 days', description: 'one\ntwo', tags: 'a b' });
    const { inputs } = readInputs({});
    expect(Object.keys(inputs)).toEqual(INPUT_NAMES);
    expect(inputs).toMatchObject({
      push: 'yes',
      'prune-untagged': '7 days',
      description: 'one\ntwo',
      tags: 'a b',
      registry: '',
      merge: '',
    });
  });

  it('reads the fallback PAT from the variable token-secret-name names (CR_PAT by default)', () => {
    expect(readInputs({ CR_PAT: ' ghp_env ' }).envPat).toBe('ghp_env');
    setInputs({ 'token-secret-name': 'ROBOT_PAT' });
    expect(readInputs({ CR_PAT: 'ghp_env', ROBOT_PAT: 'ghp_robot' }).envPat).toBe('ghp_robot');
  });

  it('reads no variable when token-secret-name is not a variable name', () => {
    setInputs({ 'token-secret-name': 'PATH=x' });
    expect(readInputs({ 'PATH=x': 'nope', PATH: '/bin' }).envPat).toBe('');
  });
});

describe('secrets are masked before anything else', () => {
  it('the token, the PATs and build secrets', () => {
    setInputs({ token: 'ghs_abc', pat: 'ghp_input', secrets: 'npm=s3cret-value' });
    readInputs({ CR_PAT: 'ghp_fallback' });
    expect(masked()).toEqual(['ghs_abc', 'ghp_input', 'ghp_fallback', 's3cret-value']);
  });

  it('a value of several lines whole and line by line', () => {
    setInputs({ secrets: 'deploy_key<<EOF\n-----BEGIN KEY-----\nAAAA\n-----END KEY-----\nEOF' });
    readInputs({});
    expect(masked()).toEqual(
      expect.arrayContaining(['-----BEGIN KEY-----%0AAAAA%0A-----END KEY-----', '-----BEGIN KEY-----', 'AAAA', '-----END KEY-----']),
    );
  });

  it('a malformed secrets input too, so its error can never show a value', () => {
    setInputs({ secrets: 'bad id=hunter2\nkey<<EOF\nline-of-a-key' });
    readInputs({});
    expect(masked()).toEqual(expect.arrayContaining(['hunter2', 'line-of-a-key']));
  });

  it("each other registry's password, from the variable its also-push-to line names, even on a malformed line", () => {
    setInputs({ 'also-push-to': 'docker.io/acme/widget user=acme password-env=HUB_TOKEN\nnot a line password-env=QUAY_TOKEN' });
    const { passwords } = readInputs({ HUB_TOKEN: 'dckr_pat_hub', QUAY_TOKEN: 'quay-secret', OTHER: 'not named' });
    expect(masked()).toEqual(['dckr_pat_hub', 'quay-secret']);
    expect(passwords).toEqual({ HUB_TOKEN: 'dckr_pat_hub', QUAY_TOKEN: 'quay-secret' });
  });

  it('nothing when there is nothing secret', () => {
    setInputs({ token: '', description: 'not secret' });
    readInputs({});
    expect(masked()).toEqual([]);
  });
});
