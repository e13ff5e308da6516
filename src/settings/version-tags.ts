import type { SemVer } from 'semver';
import { ActionError } from '../runner/index.js';
import { quoted } from './formats.js';
import { TAG_RULE, isTag, sanitizeTag } from './tags.js';

// `version-tags`: the tags a version tag ref publishes, as metadata-action's semver patterns.

export const DEFAULT_VERSION_TAGS = '{{version}},{{major}}.{{minor}},{{major}}';
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAMES = ['version', 'major', 'minor', 'patch', 'raw'] as const;
type Name = (typeof NAMES)[number];

export interface VersionPattern {
  text: string;
  /** `{{version}}` or `{{raw}}`: the whole version, prerelease included. */
  whole: boolean;
  /** `{{major}}`, `{{minor}}` and `{{patch}}` all three: the whole of a stable version. */
  numbers: boolean;
}

/** The patterns of `version-tags`, in the order given, and an error for each bad one. */
export function parseVersionPatterns(
  items: string[],
  affix: { prefix: string; suffix: string },
): { patterns: VersionPattern[]; errors: ActionError[] } {
  const patterns = items.map((text) => {
    const used = new Set(names(text));
    return { text, whole: used.has('version') || used.has('raw'), numbers: used.has('major') && used.has('minor') && used.has('patch') };
  });
  return { patterns, errors: items.flatMap((text) => patternErrors(text, affix)) };
}

function names(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** An unknown placeholder, or a tag that is not valid for a sample release (`v1.2.3`) with the affixes. */
function patternErrors(text: string, { prefix, suffix }: { prefix: string; suffix: string }): ActionError[] {
  const unknown = names(text).filter((n) => !(NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    return [
      new ActionError(
        `${quoted(text)} holds ${unknown.map((n) => `{{${n}}}`).join(', ')}, which is not a placeholder: a pattern may hold {{version}}, {{major}}, {{minor}}, {{patch}} and {{raw}}, with text around them.`,
        `Use for example "${DEFAULT_VERSION_TAGS}" or "v{{version}}".`,
        'version-tags',
      ),
    ];
  }
  const sample = `${prefix}${render(text, SAMPLE)}${suffix}`;
  if (isTag(sample)) return [];
  return [
    new ActionError(
      `${quoted(text)} makes ${quoted(sample)} of version v1.2.3${prefix || suffix ? ' (with tag-prefix and tag-suffix)' : ''}, which is not a valid tag: ${TAG_RULE}.`,
      `Use for example "${suggest(text)}".`,
      'version-tags',
    ),
  ];
}

const SAMPLE: Record<Name, string> = { version: '1.2.3', major: '1', minor: '2', patch: '3', raw: 'v1.2.3' };

/** The pattern with its placeholders replaced; the git tag (`{{raw}}`) made a valid tag first. */
export function render(text: string, values: Record<Name, string>): string {
  return text.replace(PLACEHOLDER, (_, name: Name) => values[name]);
}

/** The literal text around the placeholders made valid. */
function suggest(text: string): string {
  const literal = text.split(PLACEHOLDER);
  if (literal.some((part, i) => i % 2 === 0 && /[{}]/.test(part))) return 'v{{version}}';
  const fixed = literal.map((part, i) => (i % 2 === 1 ? `{{${part}}}` : part.replace(/[^A-Za-z0-9._-]/g, '-')));
  return fixed.join('').replace(/^[.-]+/, '') || '{{version}}';
}

export interface VersionTag {
  tag: string;
  /** Holds the whole version: `immutable-tags` never moves it. */
  whole: boolean;
}

/**
 * The tags of one version. A prerelease publishes only the patterns holding the whole version
 * (`{{version}}`, `{{raw}}`); a 0.x version also `{{major}}.{{minor}}.{{patch}}`; a stable 1.x and
 * above every pattern. `raw` is the git tag as written.
 */
export function versionTags(patterns: VersionPattern[], version: SemVer, raw: string): VersionTag[] {
  const values: Record<Name, string> = {
    version: version.version,
    major: String(version.major),
    minor: String(version.minor),
    patch: String(version.patch),
    raw: sanitizeTag(raw),
  };
  const prerelease = version.prerelease.length > 0;
  return patterns.flatMap((p) => {
    const whole = p.whole || (p.numbers && !prerelease);
    const published = whole || (!prerelease && version.major > 0);
    return published ? [{ tag: render(p.text, values), whole }] : [];
  });
}
