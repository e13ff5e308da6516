import semver from 'semver';
import { ActionError, safeText } from '../runner/index.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** The most tags one publish may set: each is a registry call, and a list this long is a mistake. */
export const MAX_TAGS = 100;

/** Whether `value` is a valid docker tag. */
export function isTag(value: string): boolean {
  return TAG.test(value);
}

/** Makes any text a valid docker tag: other characters become `-`, leading `.`/`-` go, at most 128. */
export function sanitizeTag(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

/** Tags the user typed: split on commas and newlines, validated, never rewritten. */
export function parseTags(raw: string): string[] {
  const tags = [
    ...new Set(
      raw
        .split(/[,\n]/)
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw new ActionError(
        `"${safeText(tag)}" is not a valid tag: a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', and does not start with '.' or '-'.`,
        `Use for example "${sanitizeTag(tag) || 'latest'}".`,
        'tags',
      );
    }
  }
  return tags;
}

/** Refuses more than MAX_TAGS tags (given or derived), naming `tags` and the bound. */
export function checkTagCount(tags: string[]): string[] {
  if (tags.length > MAX_TAGS) {
    throw new ActionError(
      `${tags.length} tags are too many: one publish sets at most ${MAX_TAGS}.`,
      `Give at most ${MAX_TAGS} tags.`,
      'tags',
    );
  }
  return tags;
}

/** Tags for a git ref, as the interface's table says; empty when the ref gives none. */
export function deriveTags(ref: string, sha: string): string[] {
  const short = /^[0-9a-f]{7,}$/i.test(sha) ? [`sha-${sha.slice(0, 7).toLowerCase()}`] : [];
  let m: RegExpMatchArray | null;
  if ((m = ref.match(/^refs\/tags\/(.+)$/))) {
    const version = semver.parse(m[1].replace(/^v/, ''));
    if (!version) return nonEmpty([sanitizeTag(m[1])]);
    if (version.prerelease.length > 0) return [version.version];
    const { major, minor, patch } = version;
    return major === 0
      ? [`${major}.${minor}.${patch}`, 'latest']
      : [`${major}.${minor}.${patch}`, `${major}.${minor}`, `${major}`, 'latest'];
  }
  if ((m = ref.match(/^refs\/heads\/(.+)$/))) return nonEmpty([sanitizeTag(m[1].toLowerCase()), ...short]);
  if ((m = ref.match(/^refs\/pull\/(\d+)\/(?:merge|head)$/))) return [`pr-${m[1]}`];
  return short;
}

function nonEmpty(tags: string[]): string[] {
  return [...new Set(tags.filter((t) => t !== ''))];
}
