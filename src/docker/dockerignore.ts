import path from 'node:path';

/**
 * `.dockerignore` as BuildKit reads and applies it: moby/patternmatcher (`ignorefile.ReadAll`,
 * `Pattern.compile`, `MatchesUsingParentResults`) and tonistiigi/fsutil's walk, which skips an
 * excluded directory unless an exception could re-include something below it. Paths are relative
 * to the context, slash-separated, without a leading `./`.
 */

/** The patterns of a `.dockerignore`, cleaned as `ignorefile.ReadAll` does; `!` marks an exception. */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.startsWith('#')) return;
    let pattern = line.trim();
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern !== '') {
      pattern = clean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  });
  return patterns;
}

/** Go's filepath.Clean for slash-separated paths. */
function clean(p: string): string {
  const out = path.posix.normalize(p);
  return out.length > 1 && out.endsWith('/') ? out.slice(0, -1) : out;
}

interface Pattern {
  text: string;
  exclusion: boolean;
  matches(file: string): boolean;
}

/** Which of the patterns matched the parent directory: passed down the walk, as BuildKit does. */
export type ParentMatches = boolean[];

export class IgnoreMatcher {
  private readonly patterns: Pattern[];
  /** fsutil skips excluded directories only when no exception holds a wildcard (`*[]?^\`) before a trailing `/*` or `/**`. */
  private readonly onlyPrefixExceptions: boolean;

  constructor(lines: string[]) {
    this.patterns = lines.map(compilePattern).filter((p): p is Pattern => p !== undefined);
    this.onlyPrefixExceptions = !this.patterns.some((p) => p.exclusion && /[*[\]?^\\]/.test(withoutTrailingGlob(p.text)));
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether `file` is excluded: the last pattern matching it or one of its parents wins. */
  match(file: string, parent?: ParentMatches): { excluded: boolean; matches: ParentMatches } {
    let excluded = false;
    const matches: ParentMatches = this.patterns.map(() => false);
    this.patterns.forEach((pattern, i) => {
      let match = parent?.[i] ?? false;
      if (!match) {
        // An exception only matters once something is excluded, an exclusion only while it is not.
        if (pattern.exclusion !== excluded) return;
        match = pattern.matches(file) || (parent === undefined && ancestors(file).some((dir) => pattern.matches(dir)));
      }
      matches[i] = match;
      if (match) excluded = !pattern.exclusion;
    });
    return { excluded, matches };
  }

  /** Whether an excluded directory can be left unread: no exception could re-include anything below it. */
  skips(dir: string): boolean {
    if (!this.onlyPrefixExceptions) return false;
    const prefix = `${dir}/`;
    return !this.patterns.some((p) => p.exclusion && `${withoutTrailingGlob(p.text)}/`.startsWith(prefix));
  }
}

function ancestors(file: string): string[] {
  const parts = file.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

function withoutTrailingGlob(text: string): string {
  return text.replace(/\/\*\*$/, '').replace(/\/\*$/, '');
}

/** patternmatcher.New and Pattern.compile: exact, prefix (`dir/**`), suffix (`**\/name`) or a regular expression. */
function compilePattern(line: string): Pattern | undefined {
  let text = line.trim();
  if (text === '') return undefined;
  text = clean(text);
  const exclusion = text.startsWith('!');
  if (exclusion) {
    if (text.length === 1) throw new Error('illegal exclusion pattern: "!"');
    text = text.slice(1);
  }
  const { type, source } = translate(text);
  let matches: (file: string) => boolean;
  if (type === 'exact') matches = (file) => file === text;
  else if (type === 'prefix') matches = (file) => file.startsWith(text.slice(0, -2));
  else if (type === 'suffix') {
    const suffix = text.slice(2);
    matches = (file) => file.endsWith(suffix) || (suffix.startsWith('/') && file === suffix.slice(1));
  } else {
    const re = new RegExp(source, 'u');
    matches = (file) => re.test(file);
  }
  return { text, exclusion, matches };
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** Pattern.compile, written for JavaScript's `u` regular expressions (Go's match whole characters too). */
function translate(text: string): { type: MatchType; source: string } {
  const chars = [...text];
  let source = '^';
  let type: MatchType = 'exact';
  let inClass = false;
  const literal = (ch: string) => `\\u{${ch.codePointAt(0)!.toString(16)}}`;
  for (let i = 0, step = 0; i < chars.length; step++) {
    const ch = chars[i++];
    if (ch === '*' && !inClass) {
      if (chars[i] === '*') {
        i++;
        if (chars[i] === '/') i++;
        if (i === chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            source += '.*';
            type = 'regexp';
          }
        } else {
          source += '(.*/)?';
          type = 'regexp';
        }
        if (step === 0) type = 'suffix';
      } else {
        source += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?' && !inClass) {
      source += '[^/]';
      type = 'regexp';
    } else if (ch === '\\') {
      if (i < chars.length) {
        const next = chars[i++];
        source += /[A-Za-z0-9]/.test(next) ? `\\${next}` : literal(next);
        type = 'regexp';
      } else source += '\\\\';
    } else if (ch === '[' && !inClass) {
      // Go's filepath.Match refuses an empty class and one starting with `-` or `]`.
      const first = chars[i] === '^' ? chars[i + 1] : chars[i];
      if (first === undefined || first === ']' || first === '-') throw new Error(`"${text}" is not a valid pattern (bad character class)`);
      inClass = true;
      source += '[';
      type = 'regexp';
    } else if (ch === ']') {
      source += inClass ? ']' : literal(ch);
      inClass = false;
      type = 'regexp';
    } else if (inClass) {
      source += ch === '^' || ch === '-' ? ch : literal(ch);
    } else source += literal(ch);
  }
  if (inClass) throw new Error(`"${text}" is not a valid pattern (unclosed "[")`);
  return { type, source: `${source}$` };
}
