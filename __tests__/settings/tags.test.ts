import { describe, expect, it } from '@jest/globals';
import { ActionError } from '../../src/runner/errors.js';
import { MAX_TAGS, checkTagCount, holdsWholeVersion, isTag, parseTags, sanitizeTag } from '../../src/settings/tags.js';

describe('tags typed that hold a whole version, which immutable-tags keeps from moving', () => {
  it.each([
    ['1.2.3', true],
    ['v1.2.3', true],
    ['2.0.0-rc.1', true],
    ['0.1.0', true],
    ['app-1.2.3', true],
    ['1.2.3-alpine', true],
    ['app-v1.2.3-alpine', true],
    ['1.2', false],
    ['1', false],
    ['latest', false],
    ['main', false],
    ['sha-0123456', false],
    ['pr-7', false],
    ['01.2.3', false],
    ['app1.2.3', false],
  ])('%s → %s', (tag, whole) => expect(holdsWholeVersion(tag)).toBe(whole));
});

describe('tags the user typed', () => {
  it('splits on commas and newlines, keeps case, drops blanks and repeats', () => {
    expect(parseTags('v1, Latest\n\nedge,v1')).toEqual(['v1', 'Latest', 'edge']);
  });

  it.each(['not a tag', '-x', '.x', 'a'.repeat(129), 'a:b', 'ü'])('refuses %j, naming the input', (tag) => {
    expect(() => parseTags(tag)).toThrow(ActionError);
    expect(() => parseTags(tag)).toThrow("Input 'tags'");
  });

  it('accepts 128 characters', () => {
    expect(parseTags('a'.repeat(128))).toEqual(['a'.repeat(128)]);
  });

  it('names the input it reads, extra-tags too', () => {
    expect(() => parseTags('a b', 'extra-tags')).toThrow('Input \'extra-tags\': "a b" is not a valid tag');
  });

  it('suggests a valid tag', () => {
    expect(() => parseTags('my tag')).toThrow('Use for example "my-tag".');
    expect(sanitizeTag('..x/y')).toBe('x-y');
    expect(sanitizeTag('abcdef', 4)).toBe('abcd');
  });

  it('shows a refused tag escaped, never as a line the runner would read', () => {
    expect(() => parseTags('v1\r::error::x')).toThrow('"v1\\r::error::x" is not a valid tag');
  });

  it.each([
    ['1.2.3', true],
    ['sha-0123abc', true],
    ['a:b', false],
    ['', false],
  ])('%j is a tag: %p', (tag, ok) => {
    expect(isTag(tag)).toBe(ok);
  });
});

describe('the bound on the number of tags', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);

  it('is 100', () => {
    expect(MAX_TAGS).toBe(100);
  });

  it('takes 100 tags and refuses 101, naming tags and the bound', () => {
    expect(checkTagCount(tags(100))).toHaveLength(100);
    expect(() => checkTagCount(tags(101))).toThrow(
      "Input 'tags': 101 tags are too many: one publish sets at most 100. Give at most 100 tags.",
    );
  });
});
