import { describe, expect, it } from '@jest/globals';
import { IgnoreMatcher, type ParentMatches, parseDockerignore } from '../../src/docker/dockerignore.js';

/** Whether BuildKit leaves `file` out, deciding each directory on the way down as its walk does. */
function excluded(lines: string[], file: string): boolean {
  const matcher = new IgnoreMatcher(lines);
  const parts = file.split('/');
  let parent: ParentMatches | undefined;
  let result = false;
  parts.forEach((_, i) => {
    ({ excluded: result, matches: parent } = matcher.match(parts.slice(0, i + 1).join('/'), parent));
  });
  return result;
}

describe('.dockerignore lines', () => {
  it('are read as BuildKit reads them: comments, blanks, exceptions, leading / and ./ cleaned', () => {
    const text = '\uFEFF# comment\n*/temp*\n\n   \n!README.md\n/abs\n./rel/dir/\n  spaced  \n! x \r\nsub/../flat\n  # not a comment\n';
    expect(parseDockerignore(text)).toEqual(['*/temp*', '!README.md', 'abs', 'rel/dir', 'spaced', '!x', 'flat', '# not a comment']);
  });

  it.each([['['], ['[]a'], ['a[b'], ['!']])('refuse the invalid pattern %p', (pattern) => {
    expect(() => new IgnoreMatcher([pattern])).toThrow(/pattern/);
  });
});

// Rows: patterns, a path in the context, whether the build context leaves it out.
const rules: [string[], string, boolean][] = [
  // The examples of docker's documentation.
  [['*/temp*'], 'somedir/temporary.txt', true],
  [['*/temp*'], 'somedir/temp/inside.txt', true],
  [['*/temp*'], 'temporary.txt', false],
  [['*/temp*'], 'a/b/temporary.txt', false],
  [['*/*/temp*'], 'somedir/subdir/temporary.txt', true],
  [['*/*/temp*'], 'somedir/temporary.txt', false],
  [['temp?'], 'tempa', true],
  [['temp?'], 'temp', false],
  [['temp?'], 'tempab', false],
  [['temp?'], 'dir/tempa', false],
  [['**/*.go'], 'main.go', true],
  [['**/*.go'], 'a/b/c.go', true],
  [['**/*.go'], 'a/b/c.gox', false],
  [['*.md', '!README.md'], 'README.md', false],
  [['*.md', '!README.md'], 'CHANGES.md', true],
  [['*.md', '!README.md'], 'docs/guide.md', false],
  [['*.md', '!README*.md', 'README-secret.md'], 'README-secret.md', true],
  [['*.md', '!README*.md', 'README-secret.md'], 'README-other.md', false],
  [['*.md', 'README-secret.md', '!README*.md'], 'README-secret.md', false],
  // Directories, anchors and trailing slashes.
  [['node_modules'], 'node_modules/pkg/index.js', true],
  [['node_modules'], 'src/node_modules/pkg/index.js', false],
  [parseDockerignore('/abs'), 'abs/file', true],
  [parseDockerignore('/abs'), 'x/abs', false],
  [parseDockerignore('./abs/'), 'abs/file', true],
  [parseDockerignore('dir/'), 'dir', true],
  [parseDockerignore('dir/'), 'dir/file', true],
  [parseDockerignore('dir/'), 'dirx', false],
  // An exception inside an excluded directory, and the last match winning.
  [['vendor', '!vendor/keep.txt'], 'vendor/keep.txt', false],
  [['vendor', '!vendor/keep.txt'], 'vendor/other.txt', true],
  [['vendor', '!vendor/keep.txt', 'vendor/keep.txt'], 'vendor/keep.txt', true],
  [['*', '!src'], 'src/main.ts', false],
  [['*', '!src'], 'docs/index.md', true],
  [['cache', '!**/*.keep'], 'cache/a/b.keep', false],
  // `**` forms: anywhere, everything below, any depth between.
  [['**/temp'], 'temp', true],
  [['**/temp'], 'a/b/temp', true],
  [['**/temp'], 'atemp', false],
  [['dist/**'], 'dist/a/b.js', true],
  [['dist/**'], 'distx/a.js', false],
  [['a/**/z'], 'a/z', true],
  [['a/**/z'], 'a/b/c/z', true],
  [['**'], 'anything/at/all', true],
  // filepath.Match: `*` and `?` stop at `/`, classes, escapes.
  [['*.txt'], 'dir/a.txt', false],
  [['a?c'], 'a/c', false],
  [['[a-c].txt'], 'b.txt', true],
  [['[a-c].txt'], 'd.txt', false],
  [['[^a].txt'], 'a.txt', false],
  [['[^a].txt'], 'b.txt', true],
  [['\\*.txt'], '*.txt', true],
  [['\\*.txt'], 'a.txt', false],
  [['a.c'], 'abc', false],
  [['(x)+'], '(x)+', true],
];

describe('matching', () => {
  it.each(rules)('%j on %s: excluded %p', (lines, file, expected) => {
    expect(excluded(lines, file)).toBe(expected);
  });
});

describe('excluded directories', () => {
  // Rows: patterns, an excluded directory, whether the walk may leave it unread.
  it.each<[string[], string, boolean]>([
    [['node_modules'], 'node_modules', true],
    [['a', '!b'], 'a', true],
    [['vendor', '!vendor/keep.txt'], 'vendor', false],
    [['vendor', '!vendor/keep.txt'], 'vendor/sub', true],
    [['vendor', '!vendor/lib/**'], 'vendor/lib', false],
    [['vendor', '!vendor/lib/*'], 'vendor/other', true],
    // A wildcard in an exception could re-include anything anywhere: BuildKit reads every directory.
    [['vendor', '!**/keep'], 'vendor', false],
    [['vendor', '!*.keep'], 'vendor', false],
  ])('%j: %s is skipped: %p', (lines, dir, skipped) => {
    expect(new IgnoreMatcher(lines).skips(dir)).toBe(skipped);
  });
});
