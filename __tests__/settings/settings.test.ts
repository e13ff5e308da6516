import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import path from 'node:path';
import { refusals, releaseRun, runnerInputs } from '../../__fixtures__/settings.js';
import { ActionError, InputErrors } from '../../src/runner/errors.js';
import { ACTION_DEFAULTS, INPUT_NAMES, type RawInputs } from '../../src/settings/inputs.js';
import { type Settings, readSettings, settingsFrom } from '../../src/settings/settings.js';

const { ctx, dir } = releaseRun();
const DIGEST = `sha256:${'ab12'.repeat(16)}`;

/** A run's inputs with a token and the build context `dir`. */
const given = (over: Partial<RawInputs> = {}) => runnerInputs(ctx, { token: 'ghs_abc', context: dir, ...over });
const refused = (over: Partial<RawInputs>) => refusals(() => settingsFrom(given(over), ctx)).inputs;
const messages = (over: Partial<RawInputs>) => refusals(() => settingsFrom(given(over), ctx)).messages;

describe('a release run with the defaults', () => {
  it('names the image on ghcr.io after the lower-cased repository and derives the tags', () => {
    const s = settingsFrom(given(), ctx);
    expect(s).toMatchObject({
      registry: 'ghcr.io',
      registryType: 'ghcr',
      owner: 'acme',
      repository: 'Acme/Widget',
      path: 'acme/widget',
      imageName: 'ghcr.io/acme/widget',
      tags: ['1.2.3', '1.2', '1', 'latest'],
      username: 'octocat',
      patUsername: 'octocat',
      file: path.join(dir, 'Dockerfile'),
      push: true,
      byDigest: false,
      merge: [],
      changed: ['context'],
    });
    expect(s.references[0]).toBe('ghcr.io/acme/widget:1.2.3');
    expect(s.promote).toBeUndefined();
    expect(s.pruneUntagged).toBeUndefined();
  });

  it('is the same with every input empty, as outside a runner', () => {
    const empty = Object.fromEntries(INPUT_NAMES.map((n) => [n, ''])) as RawInputs;
    const s = settingsFrom({ ...empty, token: 'ghs_abc', context: dir }, ctx);
    expect(s).toEqual({ ...settingsFrom(given(), ctx), changed: ['context'] });
  });
});

describe("booleans default to action.yml's values, whatever their names", () => {
  const field: Record<string, keyof Settings> = {
    cache: 'cache',
    provenance: 'provenance',
    logout: 'logout',
    reproducible: 'reproducible',
    'immutable-tags': 'immutableTags',
    'dry-run': 'dryRun',
  };

  it.each(Object.entries(field))('%s empty is %s from ACTION_DEFAULTS', (input, key) => {
    const s = settingsFrom(given({ [input]: '' }), ctx);
    expect(s[key]).toBe(ACTION_DEFAULTS[input as keyof typeof ACTION_DEFAULTS] === 'true');
  });

  it('reads YAML booleans in any of their cases', () => {
    const s = settingsFrom(
      given({
        push: 'False',
        cache: 'FALSE',
        provenance: 'true',
        logout: 'True',
        reproducible: 'false',
        'immutable-tags': 'False',
        'dry-run': 'TRUE',
      }),
      ctx,
    );
    expect(s).toMatchObject({
      push: false,
      cache: false,
      provenance: true,
      logout: true,
      reproducible: false,
      immutableTags: false,
      dryRun: true,
    });
  });
});

describe('parsed inputs', () => {
  it('reads KEY=VALUE lines, platforms and secrets', () => {
    const s = settingsFrom(
      given({
        'build-args': 'A=1\n B=x=y \n',
        labels: 'com.example.a=b',
        platforms: 'linux/amd64, linux/arm64/v8',
        secrets: 'npm=abc\ngh.token=x=y',
        tags: 'edge',
      }),
      ctx,
    );
    expect(s).toMatchObject({
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
    const ghes = { ...ctx, serverUrl: 'https://github.example.com' };
    const s = settingsFrom(given({ registry: 'docker.github.example.com', image: 'API' }), ghes);
    expect(s.registryType).toBe('docker-pkg');
    expect(s.imageName).toBe('docker.github.example.com/acme/widget/api');
  });

  it('needs no credential when nothing is pushed', () => {
    expect(settingsFrom(given({ token: '', push: 'false' }), ctx).token).toBe('');
  });

  it('keeps free text of several lines intact', () => {
    const description = 'Fix the parser\n\n::error::not a command\r\nsecond paragraph';
    const s = settingsFrom(given({ description, labels: 'note<<EOF\na\nb\nEOF', 'build-args': 'MSG=x\ry' }), ctx);
    expect(s.description).toBe(description);
    expect(s.labels).toEqual({ note: 'a\nb' });
    expect(s.buildArgs).toEqual(['MSG=x\ry']);
  });

  it.each([
    ['7d', 604_800_000],
    ['12h', 43_200_000],
    ['0', 0],
  ])('reads prune-untagged %j as %p ms', (age, ms) => {
    expect(settingsFrom(given({ 'prune-untagged': age }), ctx).pruneUntagged).toBe(ms);
  });
});

describe('promote, merge and push: by-digest', () => {
  it.each([
    ['commit', { kind: 'commit' }],
    ['1.2.3-rc1', { kind: 'tag', tag: '1.2.3-rc1' }],
    [DIGEST, { kind: 'digest', digest: DIGEST }],
    ['ghcr.io/Acme/Tools:sha-0123abc', { kind: 'reference', path: 'acme/tools', reference: 'sha-0123abc' }],
    ['GHCR.IO/acme/tools', { kind: 'reference', path: 'acme/tools', reference: 'latest' }],
  ])('promote %j', (promote, source) => {
    expect(settingsFrom(given({ promote, context: '.' }), ctx).promote).toEqual(source);
  });

  it('a promote or merge needs no checkout: the context is not looked at', () => {
    const nowhere = path.join(dir, 'not-checked-out');
    expect(refused({ promote: 'commit', context: '' })).toEqual([]);
    expect(refused({ merge: 'linux/amd64', context: '' })).toEqual([]);
    expect(refused({ context: nowhere })).toEqual(['context']);
  });

  it('merge keeps the platforms in the order given, and one is enough', () => {
    expect(settingsFrom(given({ merge: 'linux/arm64\nlinux/amd64', context: '.' }), ctx).merge).toEqual(['linux/arm64', 'linux/amd64']);
    expect(settingsFrom(given({ merge: 'linux/arm64', context: '.' }), ctx).merge).toEqual(['linux/arm64']);
  });

  it('push: by-digest with one platform', () => {
    expect(settingsFrom(given({ push: 'by-digest', platforms: 'linux/arm64' }), ctx)).toMatchObject({
      push: true,
      byDigest: true,
      platforms: ['linux/arm64'],
    });
  });
});

describe('rules of single inputs', () => {
  it('refuses a promote reference on another registry, naming promote and registry', () => {
    const [e] = messages({ promote: 'docker.io/acme/widget:1', context: '.' });
    expect(e).toMatch(
      /^Input 'promote': "docker.io\/acme\/widget" is on docker.io, not on this step's registry ghcr.io \(input 'registry'\)/,
    );
  });

  it('refuses promote: commit on a run without a commit', () => {
    expect(() => settingsFrom(given({ promote: 'commit', context: '.' }), { ...ctx, sha: '' })).toThrow(
      "Input 'promote': commit stands for this run's commit",
    );
  });

  it('takes attest on github.com and GHE.com, and refuses it on a GitHub Enterprise Server, which has no artifact attestations', () => {
    expect(settingsFrom(given({ attest: 'true' }), ctx).attest).toBe(true);
    expect(settingsFrom(given({ attest: 'true' }), { ...ctx, serverUrl: 'https://acme.ghe.com' }).attest).toBe(true);
    const ghes = { ...ctx, serverUrl: 'https://github.acme.example' };
    expect(refusals(() => settingsFrom(given({ attest: 'true' }), ghes)).inputs).toEqual(['attest']);
    expect(refusals(() => settingsFrom(given({ attest: 'true' }), ghes)).messages[0]).toContain('exist on github.com and GHE.com');
    expect(refusals(() => settingsFrom(given({ attest: 'false' }), ghes)).inputs).toEqual([]);
  });

  it('refuses prune-untagged on a generic registry, and takes it where the type says GitHub', () => {
    expect(refused({ registry: 'localhost:5000', 'prune-untagged': '7d' })).toEqual(['prune-untagged']);
    expect(messages({ registry: 'localhost:5000', 'prune-untagged': '7d' })[0]).toContain("generic registry (input 'registry-type')");
    expect(refused({ registry: 'localhost:5000', 'registry-type': 'ghcr', 'prune-untagged': '7d' })).toEqual([]);
  });

  it('bounds the tags at 100, naming tags and the bound', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(',');
    expect(settingsFrom(given({ tags: tags(100) }), ctx).tags).toHaveLength(100);
    expect(messages({ tags: tags(101) })).toEqual([
      "Input 'tags': 101 tags are too many: one publish sets at most 100. Give at most 100 tags.",
    ]);
  });

  it('shows a quoted value escaped, never as a line the runner would read', () => {
    const all = messages({ target: 'x\n::error::boom', 'token-secret-name': 'A\r::add-mask::B', context: 'no\nwhere' }).join(' ');
    expect(all).toContain('"x\\n::error::boom"');
    expect(all).toContain('"A\\r::add-mask::B"');
    expect(all).toContain('"no\\nwhere"');
    expect(all).not.toMatch(/[\r\n]/);
  });

  it('keeps the existing checks of description, licenses, owner, repository, registry and credentials', () => {
    expect(
      refused({
        description: 'd'.repeat(513),
        licenses: 'l'.repeat(257),
        owner: 'a/b',
        repository: 'nope',
        registry: 'docker.pkg.github.com',
      }).sort(),
    ).toEqual(['description', 'licenses', 'owner', 'registry', 'repository']);
    expect(refused({ token: '', pat: '' })).toEqual(['token']);
    expect(refused({ username: '' })).toEqual([]); // empty is the default, ${{ github.actor }}
    expect(() => settingsFrom(given({ username: '' }), { ...ctx, actor: '' })).toThrow("Input 'username'");
  });

  it('collects every bad input at once', () => {
    expect(
      refused({
        image: '.github',
        tags: 'a b',
        push: 'yes',
        platforms: 'linux',
        'registry-type': 'nope',
        'prune-untagged': '7',
        'dry-run': 'maybe',
      }).sort(),
    ).toEqual(['dry-run', 'image', 'platforms', 'prune-untagged', 'push', 'registry-type', 'tags']);
    expect(refused({ context: '.', merge: 'linux/amd64,linux/amd64', promote: 'a b', target: 'x y' })).toEqual([
      'promote',
      'merge',
      'merge+promote',
      'promote+target',
      'merge+target',
      'target',
    ]);
  });
});

describe('changed: the inputs set away from their defaults', () => {
  it('lists none for the defaults, however they are written', () => {
    const defaults = {
      cache: 'TRUE',
      provenance: 'False',
      push: 'TRUE',
      'registry-type': 'AUTO',
      owner: 'acme',
      'token-secret-name': 'CR_PAT',
    };
    expect(settingsFrom(given(defaults), ctx).changed).toEqual(['context']); // the test's context aside, all defaults
    // A promote, which does not look at the disk, with the defaults written other ways.
    expect(settingsFrom(given({ ...defaults, context: './', file: './Dockerfile', promote: 'commit' }), ctx).changed).toEqual(['promote']);
  });

  it("lists the others in action.yml's order", () => {
    const s = settingsFrom(given({ 'dry-run': 'true', tags: 'edge', cache: 'false', pat: 'ghp_x', context: dir }), ctx);
    expect(s.changed).toEqual(['tags', 'pat', 'context', 'cache', 'dry-run']);
  });
});

describe('readSettings reads the step inputs from the environment', () => {
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    process.env.INPUT_TOKEN = 'ghs_abc';
    process.env.INPUT_CONTEXT = dir;
  });
  afterEach(() => {
    process.env = saved;
    jest.restoreAllMocks();
  });

  it('takes the PAT from the pat input first', () => {
    process.env.INPUT_PAT = 'ghp_input';
    process.env['INPUT_PAT-USERNAME'] = 'robot';
    expect(readSettings(ctx, { CR_PAT: 'ghp_env' })).toMatchObject({ pat: 'ghp_input', patSource: 'pat', patUsername: 'robot' });
  });

  it('else from the variable token-secret-name names', () => {
    process.env['INPUT_TOKEN-SECRET-NAME'] = 'ROBOT_PAT';
    expect(readSettings(ctx, { ROBOT_PAT: 'ghp_env' })).toMatchObject({ pat: 'ghp_env', patSource: 'ROBOT_PAT', patUsername: 'octocat' });
  });

  it('throws InputErrors of ActionErrors, with the build secret never quoted back', () => {
    process.env.INPUT_SECRETS = 'bad id=hunter2';
    let error: unknown;
    try {
      readSettings(ctx, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputErrors);
    expect((error as InputErrors).errors[0]).toBeInstanceOf(ActionError);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
