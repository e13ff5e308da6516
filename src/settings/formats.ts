import { ActionError, safeText } from '../runner/index.js';
import { checkPath } from './names.js';
import type { BuildSecret } from './settings.js';
import { isTag } from './tags.js';

// The formats of the inputs: each parser takes the raw text and throws one ActionError naming the input.

const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_.]+)?$/;
const KEY_VALUE = /^([^=\s]+)=(.*)$/s;
/** `key<<DELIMITER`: the value is the following lines, up to a line holding only DELIMITER. */
const HEREDOC = /^([^=\s<]+)<<([^=\s]+)$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const AGE = /^(\d+)([dhm])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** A user's value inside a message: quoted, newlines and workflow commands shown escaped. */
export function quoted(value: string): string {
  return `"${safeText(value)}"`;
}

/** Items of a comma- or newline-separated list, trimmed, blanks dropped, in the order given. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `os/arch[/variant]` items. `platforms` drops a repeat; `merge` refuses one (it would be two images). */
export function parsePlatforms(input: string, raw: string, repeats: 'drop' | 'refuse'): string[] {
  const seen = new Set<string>();
  for (const platform of parseList(raw)) {
    if (!PLATFORM.test(platform)) {
      throw new ActionError(`${quoted(platform)} is not a platform.`, 'Use os/arch[/variant], e.g. "linux/amd64,linux/arm64".', input);
    }
    if (seen.has(platform) && repeats === 'refuse') {
      throw new ActionError(`${quoted(platform)} is listed twice.`, 'Name each platform once, e.g. "linux/amd64,linux/arm64".', input);
    }
    seen.add(platform);
  }
  return [...seen];
}

type Block = { line: string } | { key: string; value: string };

/** Non-blank lines, trimmed, with each `key<<DELIMITER … DELIMITER` block read as one value (kept as written). */
function blocks(raw: string, input: string, usage: string): Block[] {
  const rows = raw.split('\n');
  const found: Block[] = [];
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i].trim();
    if (line === '') continue;
    const heredoc = line.match(HEREDOC);
    if (!heredoc) {
      found.push({ line });
      continue;
    }
    const end = rows.findIndex((row, j) => j > i && row.trim() === heredoc[2]);
    if (end < 0) throw new ActionError(`the value of ${quoted(heredoc[1])} has no closing ${safeText(heredoc[2])} line.`, usage, input);
    found.push({ key: heredoc[1], value: rows.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

/** `KEY=VALUE` lines (`build-args`, `labels`), or `KEY<<EOF`, the value's lines, `EOF` for a value of several lines. */
export function parseKeyValues(input: string, raw: string): [string, string][] {
  const usage = 'Write one KEY=VALUE per line, e.g. "VERSION=1.2.3", or for a value of several lines KEY<<EOF, the value, then EOF.';
  return blocks(raw, input, usage).map((block): [string, string] => {
    if ('key' in block) return [block.key, block.value];
    const m = block.line.match(KEY_VALUE);
    if (!m) throw new ActionError(`${quoted(block.line)} is not a KEY=VALUE line.`, usage, input);
    return [m[1], m[2]];
  });
}

const SECRETS_USAGE =
  'Write one id=value per line, e.g. "npm_token=${{ secrets.NPM_TOKEN }}", or for a value of several lines id<<EOF, the value, then EOF.';

/** `id=value` lines or `id<<EOF` blocks (the form GitHub's own file commands use). A value is never quoted back. */
export function parseSecrets(raw: string): BuildSecret[] {
  return blocks(raw, 'secrets', SECRETS_USAGE).map((block) => {
    const m = 'key' in block ? ['', block.key, block.value] : block.line.match(/^([^=]+)=(.*)$/s);
    const id = m?.[1].trim() ?? '';
    if (!m || !SECRET_ID.test(id) || ('line' in block && m[2] === '')) {
      throw new ActionError(
        "a line is not id=value (an id of letters, digits, '_', '.' or '-', then a non-empty value).",
        SECRETS_USAGE,
        'secrets',
      );
    }
    return { id, value: m[2] };
  });
}

/**
 * What to mask of the `secrets` input, even when it is malformed: the values when it parses,
 * else every line and what follows its first `=`, so a typo never prints a secret.
 */
export function secretValues(raw: string): string[] {
  try {
    return parseSecrets(raw).map((s) => s.value);
  } catch {
    return raw
      .split('\n')
      .map((line) => line.trim())
      .flatMap((line) => [line, line.slice(line.indexOf('=') + 1)]);
  }
}

/** `true`/`false` as core.getBooleanInput reads them (YAML 1.2 core schema); empty means `defaultValue`. */
export function parseBoolean(input: string, raw: string, defaultValue: string): boolean {
  const value = raw === '' ? defaultValue : raw;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new ActionError(`${quoted(value)} is not a boolean.`, 'Use true or false.', input);
}

/** `push`: `true`, `false` or `by-digest`, in any case. */
export function parsePush(raw: string): { push: boolean; byDigest: boolean } {
  const value = raw.toLowerCase();
  if (value === 'true' || value === 'false' || value === 'by-digest') return { push: value !== 'false', byDigest: value === 'by-digest' };
  throw new ActionError(
    `${quoted(raw)} is not true, false or by-digest.`,
    'Use true to publish, false to build only, or by-digest in the platform jobs of a merge.',
    'push',
  );
}

/** One of `allowed`, in any case. */
export function parseChoice<T extends string>(input: string, raw: string, allowed: readonly T[]): T {
  const value = raw.toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ActionError(`${quoted(value)} is not one of ${allowed.join(', ')}.`, `Use for example "${allowed[0]}".`, input);
  }
  return value as T;
}

/** `prune-untagged`: empty (never), `0` (any age), or whole `<n>d`, `<n>h`, `<n>m`, in milliseconds. */
export function parseAge(raw: string): number | undefined {
  if (raw === '') return undefined;
  if (raw === '0') return 0;
  const m = raw.match(AGE);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new ActionError(
      `${quoted(raw)} is not an age.`,
      'Use whole days, hours or minutes, e.g. "7d", "12h" or "30m", or "0" for any age; leave it empty to delete nothing.',
      'prune-untagged',
    );
  }
  return ms;
}

/** What `promote` names, before the registry is known: a reference's host still to be checked. */
export type PromoteInput =
  | { kind: 'commit' }
  | { kind: 'tag'; tag: string }
  | { kind: 'digest'; digest: string }
  | { kind: 'reference'; host: string; path: string; reference: string };

export const PROMOTE_FORMS =
  'Use "commit" (the image this workflow pushed for the commit, its sha-<7 hex> tag), a tag of this image (e.g. "1.2.3-rc1"), ' +
  'a digest of it ("sha256:" and 64 hex digits), or a full reference on the same registry (e.g. "ghcr.io/acme/widget:sha-0123abc" or "ghcr.io/acme/widget@sha256:…").';

/** `commit`, a tag, `sha256:<64 hex>`, or `host[:port]/path[:tag|@sha256:…]`; empty is none. */
export function parsePromote(raw: string): PromoteInput | undefined {
  if (raw === '') return undefined;
  const malformed = (why: string): never => {
    throw new ActionError(`${quoted(raw)} ${why}`, PROMOTE_FORMS, 'promote');
  };
  if (raw === 'commit') return { kind: 'commit' };
  if (DIGEST.test(raw)) return { kind: 'digest', digest: raw };
  if (!raw.includes('/')) return isTag(raw) ? { kind: 'tag', tag: raw } : malformed('is not a tag, a digest or a reference.');
  const slash = raw.indexOf('/');
  const host = raw.slice(0, slash).toLowerCase();
  if (!/[.:]/.test(host) && host !== 'localhost') return malformed('has no registry host: a reference names the registry first.');
  let rest = raw.slice(slash + 1);
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    if (!DIGEST.test(reference)) malformed('has a digest that is not "sha256:" and 64 lower-case hex digits.');
    rest = rest.slice(0, at).replace(/:[^/:]*$/, ''); // a tag beside a digest: the digest decides, as docker reads it
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      if (!isTag(reference)) malformed(`has ${quoted(reference)}, which is not a valid tag.`);
      rest = rest.slice(0, colon);
    }
  }
  return { kind: 'reference', host, path: checkPath('promote', rest, 'image path'), reference };
}

/** A name an environment variable can have (`token-secret-name`). */
export function isEnvName(value: string): boolean {
  return ENV_NAME.test(value);
}
