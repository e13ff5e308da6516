import { afterAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { refusals, releaseRun, runnerInputs } from '../../__fixtures__/settings.js';
import { parseAlsoPushTo, passwordEnvNames } from '../../src/settings/also-push-to.js';
import type { RawInputs } from '../../src/settings/inputs.js';
import { settingsFrom } from '../../src/settings/settings.js';

const MAIN = 'ghcr.io/acme/widget';
const PASSWORDS = { DOCKERHUB_TOKEN: 'dckr_pat_hub', QUAY_PASSWORD: 'quay-secret', EMPTY: '' };
const parse = (raw: string, needPasswords = true) => parseAlsoPushTo(raw, MAIN, PASSWORDS, needPasswords);

describe('also-push-to: good lines', () => {
  it.each([
    [
      'docker.io/acme/widget user=acme password-env=DOCKERHUB_TOKEN',
      {
        registry: 'docker.io',
        path: 'acme/widget',
        imageName: 'docker.io/acme/widget',
        username: 'acme',
        passwordEnv: 'DOCKERHUB_TOKEN',
        password: 'dckr_pat_hub',
      },
    ],
    // Docker Hub's other names are the same registry; names are lower-cased as the main image's.
    ['index.docker.io/Acme/Widget user=acme password-env=DOCKERHUB_TOKEN', { registry: 'docker.io', imageName: 'docker.io/acme/widget' }],
    [
      'registry-1.docker.io/acme/widget user=acme password-env=DOCKERHUB_TOKEN',
      { registry: 'docker.io', imageName: 'docker.io/acme/widget' },
    ],
    [
      'quay.io/acme/tools/widget user=acme+robot password-env=QUAY_PASSWORD',
      { registry: 'quay.io', path: 'acme/tools/widget', username: 'acme+robot' },
    ],
    ['127.0.0.1:5000/widget password-env=QUAY_PASSWORD user=me', { registry: '127.0.0.1:5000', path: 'widget', username: 'me' }],
    ['localhost/widget user=me password-env=QUAY_PASSWORD', { registry: 'localhost', imageName: 'localhost/widget' }],
  ])('%s', (line, expected) => {
    const { registries, errors } = parse(line);
    expect(errors).toEqual([]);
    expect(registries).toEqual([expect.objectContaining(expected)]);
  });

  it('reads several lines in order, skipping blank ones', () => {
    const { registries } = parse(
      '\n  docker.io/acme/widget user=acme password-env=DOCKERHUB_TOKEN\n\nquay.io/acme/widget user=robot password-env=QUAY_PASSWORD  \n',
    );
    expect(registries.map((r) => r.imageName)).toEqual(['docker.io/acme/widget', 'quay.io/acme/widget']);
  });

  it('empty: no other registry', () => {
    expect(parse('')).toEqual({ registries: [], errors: [] });
  });

  it('an unset variable is no error on a run that pushes nothing (a fork has no secrets)', () => {
    const { registries, errors } = parse('docker.io/acme/widget user=acme password-env=UNSET', false);
    expect(errors).toEqual([]);
    expect(registries[0].password).toBe('');
  });
});

describe('also-push-to: bad lines, each error naming the input and the line', () => {
  it.each([
    ['docker.io/acme/widget user=acme', 'has no password-env='],
    ['docker.io/acme/widget user=acme password-env=UNSET', 'names the environment variable UNSET, which is not set or empty'],
    ['docker.io/acme/widget user=acme password-env=EMPTY', 'names the environment variable EMPTY, which is not set or empty'],
    ['docker.io/acme/widget user=acme password-env=not-a-name', 'which is not an environment variable name'],
    ['docker.io/acme/widget password-env=DOCKERHUB_TOKEN', 'has no user='],
    ['docker.io/widget user=acme password-env=DOCKERHUB_TOKEN', 'names a Docker Hub image without a namespace'],
    ['acme/widget user=acme password-env=DOCKERHUB_TOKEN', 'does not begin with a registry host'],
    ['quay.io/acme/wid..get user=acme password-env=QUAY_PASSWORD', 'breaks the OCI rule'],
    ['quay.io/acme/widget:1.0 user=acme password-env=QUAY_PASSWORD', 'names a tag or digest'],
    ['docker.pkg.github.com/acme/widget/widget user=acme password-env=QUAY_PASSWORD', 'retired on 2025-02-24'],
    ['ghcr.io/Acme/Widget user=acme password-env=QUAY_PASSWORD', "is the step's own image (ghcr.io/acme/widget)"],
    ['quay.io/acme/widget user=acme password=hunter2 password-env=QUAY_PASSWORD', 'has the unknown key "password"'],
    ['quay.io/acme/widget user=acme user=other password-env=QUAY_PASSWORD', 'gives user twice'],
    ['quay.io/acme/widget acme password-env=QUAY_PASSWORD', 'has "acme", which is not key=value'],
    [`quay.io/${'a'.repeat(250)} user=acme password-env=QUAY_PASSWORD`, 'may have at most 255'],
  ])('%s', (line, problem) => {
    const { registries, errors } = parse(line);
    expect(registries).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].input).toBe('also-push-to');
    expect(errors[0].message).toContain(`Input 'also-push-to': `);
    expect(errors[0].message).toContain(problem);
    expect(errors[0].message).toContain(`the line "${line}"`);
  });

  it('the same image twice (by any of Docker Hub names) is refused once, naming the second line', () => {
    const { registries, errors } = parse(
      'docker.io/acme/widget user=acme password-env=DOCKERHUB_TOKEN\nindex.docker.io/acme/widget user=acme password-env=DOCKERHUB_TOKEN',
    );
    expect(registries).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('index.docker.io/acme/widget user=acme')]);
    expect(errors[0].message).toContain('names docker.io/acme/widget a second time');
  });

  it('every bad line at once', () => {
    const { errors } = parse(
      'docker.io/widget user=a password-env=DOCKERHUB_TOKEN\nquay.io/x user=a\nquay.io/ok user=a password-env=QUAY_PASSWORD',
    );
    expect(errors).toHaveLength(2);
  });
});

describe('the passwords to mask, read before the lines are checked', () => {
  it('takes every password-env=, even on a malformed line', () => {
    expect(
      passwordEnvNames('docker.io/widget user=a password-env=HUB\nnot even a name password-env=QUAY extra\npassword-env=bad-name'),
    ).toEqual(['HUB', 'QUAY']);
  });
});

describe('also-push-to among the other inputs', () => {
  const { ctx, dir } = releaseRun();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const given = (over: Partial<RawInputs>) => runnerInputs(ctx, { token: 'ghs_abc', context: dir, ...over });
  const HUB_LINE = 'docker.io/acme/widget user=acme password-env=DOCKERHUB_TOKEN';

  it('gives the settings each other registry, with the password from the variable named', () => {
    const s = settingsFrom(given({ 'also-push-to': HUB_LINE }), ctx, '', { DOCKERHUB_TOKEN: 'dckr_pat_hub' });
    expect(s.alsoPushTo).toEqual([expect.objectContaining({ imageName: 'docker.io/acme/widget', password: 'dckr_pat_hub' })]);
  });

  it('a bad line fails with every other bad input at once', () => {
    const { inputs } = refusals(() => settingsFrom(given({ 'also-push-to': 'docker.io/widget user=a password-env=X', tags: 'a b' }), ctx));
    expect(inputs.sort()).toEqual(['also-push-to', 'tags']);
  });

  it('cannot go with push: by-digest: the merge job pushes to the other registries', () => {
    const { inputs } = refusals(() =>
      settingsFrom(given({ 'also-push-to': HUB_LINE, push: 'by-digest', platforms: 'linux/amd64' }), ctx, '', { DOCKERHUB_TOKEN: 'x' }),
    );
    expect(inputs).toEqual(['push+also-push-to']);
  });

  it('an unset variable is no error on a read-only run, which pushes nothing', () => {
    const readOnly = { ...ctx, readOnlyToken: true };
    expect(() =>
      settingsFrom(runnerInputs(readOnly, { token: 'ghs_abc', context: dir, 'also-push-to': HUB_LINE }), readOnly),
    ).not.toThrow();
  });

  it('registry: docker.io (any of its names) is Docker Hub for the main image too', () => {
    const s = settingsFrom(given({ registry: 'index.docker.io', owner: 'acme' }), ctx);
    expect(s.imageName).toBe('docker.io/acme/widget');
  });
});
