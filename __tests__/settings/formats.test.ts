import { afterEach, describe, expect, it } from '@jest/globals';
import * as core from '@actions/core';
import { ActionError } from '../../src/runner/errors.js';
import {
  isEnvName,
  parseAge,
  parseBoolean,
  parseChoice,
  parseKeyValues,
  parseList,
  parsePlatforms,
  parsePromote,
  parsePush,
  parseSecrets,
  quoted,
  secretValues,
} from '../../src/settings/formats.js';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;

/** The ActionError `fn` throws; fails the test when it throws none. */
function refusal(fn: () => unknown): ActionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ActionError) return e;
    throw e;
  }
  throw new Error('expected an ActionError');
}

describe('lists (tags, platforms, merge)', () => {
  it('split on commas and newlines, trimmed, blanks dropped, in order', () => {
    expect(parseList(' a, b\n\n c ,,a ')).toEqual(['a', 'b', 'c', 'a']);
    expect(parseList('')).toEqual([]);
  });
});

describe('platforms', () => {
  it.each([
    ['linux/amd64', ['linux/amd64']],
    ['linux/amd64, linux/arm64/v8', ['linux/amd64', 'linux/arm64/v8']],
    ['linux/arm/v7\nlinux/386', ['linux/arm/v7', 'linux/386']],
    ['', []],
  ])('accepts %j', (raw, platforms) => {
    expect(parsePlatforms('platforms', raw, 'refuse')).toEqual(platforms);
  });

  it.each(['linux', 'linux/', 'Linux/AMD64', 'linux/amd64/v8/x', 'linux amd64'])('refuses %j, naming the input', (raw) => {
    const e = refusal(() => parsePlatforms('merge', raw, 'refuse'));
    expect(e.input).toBe('merge');
    expect(e.fix).toContain('os/arch[/variant]');
  });

  it('drops a repeat in platforms and refuses one in merge', () => {
    expect(parsePlatforms('platforms', 'linux/amd64,linux/amd64', 'drop')).toEqual(['linux/amd64']);
    const e = refusal(() => parsePlatforms('merge', 'linux/amd64,linux/arm64,linux/amd64', 'refuse'));
    expect(e.message).toBe(`Input 'merge': "linux/amd64" is listed twice. Name each platform once, e.g. "linux/amd64,linux/arm64".`);
  });
});

describe('KEY=VALUE lines (build-args, labels)', () => {
  it.each([
    [
      'A=1\n B=x=y \n',
      [
        ['A', '1'],
        ['B', 'x=y'],
      ],
    ],
    ['EMPTY=', [['EMPTY', '']]],
    ['com.example.a=b', [['com.example.a', 'b']]],
    [
      'NOTE<<EOF\nline one\n  line two\nEOF\nA=1',
      [
        ['NOTE', 'line one\n  line two'],
        ['A', '1'],
      ],
    ],
    ['CR=a\rb', [['CR', 'a\rb']]],
    ['LS=a\u2028b', [['LS', 'a\u2028b']]],
  ])('reads %j', (raw, pairs) => {
    expect(parseKeyValues('build-args', raw)).toEqual(pairs);
  });

  it.each(['novalue', '=1', 'A B=1'])('refuses %j, naming the input', (raw) => {
    expect(refusal(() => parseKeyValues('labels', raw)).message).toMatch(/^Input 'labels': ".*" is not a KEY=VALUE line\./);
  });

  it('refuses a value of several lines without its closing line', () => {
    expect(refusal(() => parseKeyValues('build-args', 'NOTE<<EOF\nx')).message).toContain('the value of "NOTE" has no closing EOF line.');
  });

  it('shows a refused line escaped, never a line the runner would read as a command', () => {
    expect(refusal(() => parseKeyValues('labels', 'x\r::error::boom')).message).toContain('"x\\r::error::boom"');
  });
});

describe('build secrets', () => {
  const key = '-----BEGIN KEY-----\nAAAA\n-----END KEY-----';

  it.each([
    [
      'npm=abc\ngh.token=x=y',
      [
        { id: 'npm', value: 'abc' },
        { id: 'gh.token', value: 'x=y' },
      ],
    ],
    [
      `npm=abc\ndeploy_key<<EOF\n${key}\nEOF\nother=x`,
      [
        { id: 'npm', value: 'abc' },
        { id: 'deploy_key', value: key },
        { id: 'other', value: 'x' },
      ],
    ],
    ['', []],
  ])('reads %j', (raw, secrets) => {
    expect(parseSecrets(raw)).toEqual(secrets);
  });

  it.each(['bad id=hunter2', 'npm=', 'hunter2', 'b@d<<EOF\nhunter2\nEOF'])('refuses %j without quoting it back', (raw) => {
    const e = refusal(() => parseSecrets(raw));
    expect(e.input).toBe('secrets');
    expect(e.message).not.toContain('hunter2');
  });

  it('needs the closing line of a value of several lines', () => {
    expect(refusal(() => parseSecrets(`deploy_key<<EOF\n${key}`)).message).toContain('the value of "deploy_key" has no closing EOF line.');
  });

  it('gives what to mask, from a malformed input too', () => {
    expect(secretValues('npm=abc\nk<<EOF\nx\nEOF')).toEqual(['abc', 'x']);
    expect(secretValues('bad id=hunter2')).toEqual(expect.arrayContaining(['hunter2']));
  });
});

describe('booleans', () => {
  afterEach(() => {
    delete process.env.INPUT_FLAG;
  });

  it.each(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'yes', 'on', '1', 'tRUE'])('read %j as core.getBooleanInput does', (raw) => {
    process.env.INPUT_FLAG = raw;
    let expected: boolean | 'refused';
    try {
      expected = core.getBooleanInput('flag');
    } catch {
      expected = 'refused';
    }
    let got: boolean | 'refused';
    try {
      got = parseBoolean('flag', raw, 'true');
    } catch {
      got = 'refused';
    }
    expect(got).toBe(expected);
  });

  it("takes action.yml's default for an empty value", () => {
    expect(parseBoolean('provenance', '', 'false')).toBe(false);
    expect(parseBoolean('cache', '', 'true')).toBe(true);
  });

  it('names the input it refuses', () => {
    expect(refusal(() => parseBoolean('dry-run', 'yes', 'false')).message).toBe(
      `Input 'dry-run': "yes" is not a boolean. Use true or false.`,
    );
  });
});

describe('push', () => {
  it.each([
    ['true', { push: true, byDigest: false }],
    ['False', { push: false, byDigest: false }],
    ['by-digest', { push: true, byDigest: true }],
    ['BY-DIGEST', { push: true, byDigest: true }],
  ])('reads %j', (raw, push) => {
    expect(parsePush(raw)).toEqual(push);
  });

  it.each(['yes', 'digest', ''])('refuses %j, naming push and its three values', (raw) => {
    expect(refusal(() => parsePush(raw)).message).toContain("Input 'push'");
    expect(refusal(() => parsePush(raw)).message).toContain('is not true, false or by-digest');
  });
});

describe('choices (registry-type)', () => {
  it('reads any case and refuses the rest', () => {
    expect(parseChoice('registry-type', 'GHCR', ['auto', 'ghcr'])).toBe('ghcr');
    expect(refusal(() => parseChoice('registry-type', 'nope', ['auto', 'ghcr'])).message).toBe(
      `Input 'registry-type': "nope" is not one of auto, ghcr. Use for example "auto".`,
    );
  });
});

describe('ages (prune-untagged)', () => {
  it.each([
    ['', undefined],
    ['0', 0],
    ['0d', 0],
    ['7d', 7 * 24 * 3_600_000],
    ['12h', 12 * 3_600_000],
    ['30m', 30 * 60_000],
    ['400d', 400 * 24 * 3_600_000],
  ])('reads %j as %p ms', (raw, ms) => {
    expect(parseAge(raw)).toBe(ms);
  });

  it.each(['7', '1.5d', '7 d', '-1d', '7D', '1w', 'd', '7days', '99999999999999999d'])('refuses %j with examples', (raw) => {
    const e = refusal(() => parseAge(raw));
    expect(e.input).toBe('prune-untagged');
    expect(e.fix).toContain('"7d", "12h"');
    expect(e.fix).toContain('"0"');
  });
});

describe('promote references', () => {
  it.each([
    ['commit', { kind: 'commit' }],
    ['1.2.3-rc1', { kind: 'tag', tag: '1.2.3-rc1' }],
    ['sha-0123abc', { kind: 'tag', tag: 'sha-0123abc' }],
    ['Commit', { kind: 'tag', tag: 'Commit' }],
    [DIGEST, { kind: 'digest', digest: DIGEST }],
    ['ghcr.io/acme/widget:sha-0123abc', { kind: 'reference', host: 'ghcr.io', path: 'acme/widget', reference: 'sha-0123abc' }],
    ['GHCR.io/Acme/Widget', { kind: 'reference', host: 'ghcr.io', path: 'acme/widget', reference: 'latest' }],
    [`ghcr.io/acme/tools/widget@${DIGEST}`, { kind: 'reference', host: 'ghcr.io', path: 'acme/tools/widget', reference: DIGEST }],
    [`ghcr.io/acme/widget:1.0@${DIGEST}`, { kind: 'reference', host: 'ghcr.io', path: 'acme/widget', reference: DIGEST }],
    ['localhost:5000/acme/widget:1', { kind: 'reference', host: 'localhost:5000', path: 'acme/widget', reference: '1' }],
    ['localhost/acme/widget', { kind: 'reference', host: 'localhost', path: 'acme/widget', reference: 'latest' }],
  ])('reads %j', (raw, source) => {
    expect(parsePromote(raw)).toEqual(source);
  });

  it('reads empty as no promote', () => {
    expect(parsePromote('')).toBeUndefined();
  });

  it.each([
    'not a tag',
    '-x',
    'sha256:abc',
    `sha256:${'AB12'.repeat(16)}`,
    'acme/widget:1.0',
    'ghcr.io/acme/widget:bad tag',
    'ghcr.io/acme/widget@sha256:short',
    'ghcr.io/acme/wid..get',
    'ghcr.io/',
  ])('refuses %j, naming promote', (raw) => {
    expect(refusal(() => parsePromote(raw)).input).toBe('promote');
  });

  it('lists the accepted forms when it refuses', () => {
    const e = refusal(() => parsePromote('acme/widget:1.0'));
    expect(e.message).toMatch(/^Input 'promote': "acme\/widget:1.0" has no registry host/);
    for (const form of ['"commit"', 'a tag of this image', '"sha256:"', 'a full reference on the same registry'])
      expect(e.fix).toContain(form);
  });
});

describe('names and quoting', () => {
  it.each([
    ['CR_PAT', true],
    ['_x1', true],
    ['1X', false],
    ['A-B', false],
    ['', false],
  ])('%j is an environment variable name: %p', (name, ok) => {
    expect(isEnvName(name)).toBe(ok);
  });

  it('quotes a value with its line breaks escaped', () => {
    expect(quoted('fix\n::error::x\r')).toBe('"fix\\n::error::x\\r"');
  });
});
