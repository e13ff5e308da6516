import { describe, expect, it } from '@jest/globals';
import { checkPath, fullName, suggestPath } from '../../src/settings/names.js';

describe('image path components', () => {
  it.each([
    ['Acme', 'acme'],
    ['widget', 'widget'],
    ['My-Org/Tools/CLI', 'my-org/tools/cli'],
    ['a.b_c__d---e', 'a.b_c__d---e'],
    ['0day', '0day'],
  ])('%s is lower-cased to %s', (value, expected) => {
    expect(checkPath('image', value, 'image name')).toBe(expected);
  });

  it.each([
    ['.github', 'github'],
    ['a..b', 'a-b'],
    ['My Image', 'my-image'],
    ['trailing-', 'trailing'],
    ['a___b', 'a-b'],
    ['a//b', 'a/b'],
    ['', 'image'],
    ['ünïcode', 'n-code'],
  ])('%j is refused, suggesting %j', (value, suggestion) => {
    expect(() => checkPath('image', value, 'image name')).toThrow(`Use for example "${suggestion}"`);
    expect(suggestPath(value)).toBe(suggestion);
  });

  it('names the input and quotes the lower-cased form when case changed', () => {
    expect(() => checkPath('owner', 'Acme Corp', 'owner name')).toThrow(
      /^Input 'owner': "Acme Corp" \(lower-cased: "acme corp"\) is not a valid owner name/,
    );
  });
});

describe('the full name', () => {
  it('may have 255 characters with its host', () => {
    const path = 'a'.repeat(255 - 'ghcr.io/'.length);
    expect(fullName('ghcr.io', path, 'image')).toHaveLength(255);
    expect(() => fullName('ghcr.io', `${path}a`, 'image')).toThrow('at most 255');
  });
});
