import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { fillBuildArg, fillPlaceholders, runValues } from '../../src/settings/placeholders.js';

const created = new Date('2026-01-02T03:04:05Z');

describe("the run's values in build-args and labels", () => {
  it.each([
    ['refs/tags/v1.2.3', 'v1.2.3'],
    ['refs/heads/feature/X', 'feature/X'],
    ['refs/pull/7/merge', '7/merge'],
  ])('on %s: the version, the commit, its short form, the time and the ref name %s', (ref, refName) => {
    expect(
      runValues(settings({ version: '1.2.3' }), { ...context, ref, sha: 'ABCDEF0123456789abcdef0123456789abcdef01' }, created),
    ).toEqual({
      version: '1.2.3',
      sha: 'ABCDEF0123456789abcdef0123456789abcdef01',
      'short-sha': 'abcdef0',
      created: '2026-01-02T03:04:05.000Z',
      'ref-name': refName,
    });
  });

  it('{{created}} is RFC 3339, the instant of org.opencontainers.image.created', () => {
    const value = runValues(settings(), context, created).created;
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    expect(new Date(value).getTime()).toBe(created.getTime());
  });

  const values = { version: '1.2.3', sha: 'f00', 'short-sha': 'f00', created: 'T', 'ref-name': 'main' };
  it.each([
    ['{{version}}', '1.2.3'],
    ['v{{ version }}-{{short-sha}}', 'v1.2.3-f00'],
    ['{{ref-name}}@{{sha}} {{created}}', 'main@f00 T'],
    ['{{version}}{{version}}', '1.2.31.2.3'],
    ['{{major}}, {{ .Version }}, {{}}, {{version', '{{major}}, {{ .Version }}, {{}}, {{version'],
    ['{{constructor}} {{toString}}', '{{constructor}} {{toString}}'],
    ['no placeholder', 'no placeholder'],
  ])('%j → %j (other {{…}} left as written)', (text, filled) => {
    expect(fillPlaceholders(text, values)).toBe(filled);
  });

  it('fills the value of a build argument, never its name', () => {
    expect(fillBuildArg('APP_VERSION={{version}}', values)).toBe('APP_VERSION=1.2.3');
    expect(fillBuildArg('{{version}}=x={{sha}}', values)).toBe('{{version}}=x=f00');
  });
});
