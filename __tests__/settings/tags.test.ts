import { describe, expect, it } from '@jest/globals';
import { ActionError } from '../../src/runner/errors.js';
import { MAX_TAGS, checkTagCount, deriveTags, isTag, parseTags, sanitizeTag } from '../../src/settings/tags.js';

const SHA = 'AbCdEf0123456789abcdef0123456789abcdef01';

describe('tags derived from the git ref', () => {
  it.each([
    ['refs/tags/v1.2.3', ['1.2.3', '1.2', '1', 'latest']],
    ['refs/tags/1.2.3', ['1.2.3', '1.2', '1', 'latest']],
    ['refs/tags/v0.4.1', ['0.4.1', 'latest']],
    ['refs/tags/v0.0.1', ['0.0.1', 'latest']],
    ['refs/tags/v10.20.30', ['10.20.30', '10.20', '10', 'latest']],
    ['refs/tags/v2.0.0-rc.1', ['2.0.0-rc.1']],
    ['refs/tags/v0.1.0-alpha', ['0.1.0-alpha']],
    ['refs/tags/v1.2.3+build.7', ['1.2.3', '1.2', '1', 'latest']],
    ['refs/tags/release/2024 Q1', ['release-2024-Q1']],
    ['refs/tags/.hidden', ['hidden']],
    ['refs/heads/main', ['main', 'sha-abcdef0']],
    ['refs/heads/feature/X', ['feature-x', 'sha-abcdef0']],
    ['refs/heads/feature/New_UI', ['feature-new_ui', 'sha-abcdef0']],
    ['refs/heads/-dash', ['dash', 'sha-abcdef0']],
    ['refs/pull/42/merge', ['pr-42']],
    ['refs/notes/x', ['sha-abcdef0']],
  ])('%s → %j', (ref, tags) => {
    expect(deriveTags(ref, SHA)).toEqual(tags);
  });

  it('cuts a long branch to 128 characters', () => {
    const [tag] = deriveTags(`refs/heads/${'b'.repeat(300)}`, SHA);
    expect(tag).toHaveLength(128);
  });

  it('gives no tags for an unknown ref without a commit', () => {
    expect(deriveTags('', '')).toEqual([]);
  });
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

  it('suggests a valid tag', () => {
    expect(() => parseTags('my tag')).toThrow('Use for example "my-tag".');
    expect(sanitizeTag('..x/y')).toBe('x-y');
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
