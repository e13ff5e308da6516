import { ActionError, safeText } from '../runner/index.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** The most tags one publish may set: each is a registry call, and a list this long is a mistake. */
export const MAX_TAGS = 100;
export const TAG_RULE = "a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', and does not start with '.' or '-'";
/** A whole `x.y.z` version in a typed tag, maybe with a `v`, after text ending in a separator or before `-…`. */
const WHOLE_VERSION = /^(?:[A-Za-z0-9._-]*[-_.])?v?(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$/;

/** Whether `value` is a valid docker tag. */
export function isTag(value: string): boolean {
  return TAG.test(value);
}

/** Makes any text a valid docker tag of at most `max` characters: other characters become `-`, leading `.`/`-` go. */
export function sanitizeTag(value: string, max = 128): string {
  return value
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, max);
}

/**
 * Whether a tag someone typed (`tags`, `extra-tags`) holds a whole version (`1.2.3`, `v2.0.0-rc.1`,
 * `app-1.2.3`, `1.2.3-alpine`): `immutable-tags` keeps such a tag from moving. Derived tags are not
 * guessed at: their patterns say it.
 */
export function holdsWholeVersion(tag: string): boolean {
  return WHOLE_VERSION.test(tag);
}

/** Tags the user typed: split on commas and newlines, validated, never rewritten; repeats dropped. */
export function parseTags(raw: string, input = 'tags'): string[] {
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
        `"${safeText(tag)}" is not a valid tag: ${TAG_RULE}.`,
        `Use for example "${sanitizeTag(tag) || 'latest'}".`,
        input,
      );
    }
  }
  return tags;
}

/** Refuses more than MAX_TAGS tags, naming `input` and the bound. */
export function checkTagCount(tags: string[], input = 'tags'): string[] {
  if (tags.length > MAX_TAGS) {
    throw new ActionError(
      `${tags.length} tags are too many: one publish sets at most ${MAX_TAGS}.`,
      `Give at most ${MAX_TAGS} tags.`,
      input,
    );
  }
  return tags;
}
