import { ActionError } from '../runner/index.js';
import { collector } from './collect.js';
import { parseChoice, parseList, quoted } from './formats.js';
import { DEFAULT_RULES, LATEST_MODES, type TagRules, type TagRun, type TagSource, deriveTags } from './derive-tags.js';
import { MAX_TAGS, TAG_RULE, checkTagCount, holdsWholeVersion, isTag, parseTags } from './tags.js';
import { DEFAULT_VERSION_TAGS, parseVersionPatterns } from './version-tags.js';

// The inputs that say which tags a run publishes: tags, extra-tags, latest, version-tags, tag-prefix, tag-suffix.

export interface TagInputs {
  tags: string;
  'extra-tags': string;
  latest: string;
  'version-tags': string;
  'tag-prefix': string;
  'tag-suffix': string;
}

/** The tags of a run, which of them hold a whole version, the run's version, and where each came from. */
export interface RunTags {
  tags: string[];
  whole: string[];
  version: string;
  sources: TagSource[];
}

const AFFIX = {
  'tag-prefix': { form: /^[A-Za-z0-9_][A-Za-z0-9._-]*$/, starts: ", starts with a letter, digit or '_'", example: 'app-' },
  'tag-suffix': { form: /^[A-Za-z0-9._-]+$/, starts: '', example: '-alpine' },
};

/** What a tag of 128 characters leaves around `sha-<7 hex>` for the prefix and suffix. */
const AFFIX_ROOM = 128 - 'sha-0123abc'.length;

/** latest, version-tags and the affixes, each checked on its own; every problem is added to `errors`. */
export function readTagRules(raw: TagInputs, errors: ActionError[]): TagRules {
  const attempt = collector(errors);
  const latest = attempt(() => parseChoice('latest', raw.latest || 'auto', LATEST_MODES), 'auto');
  const prefix = attempt(() => checkAffix('tag-prefix', raw['tag-prefix']), '');
  const suffix = attempt(() => checkAffix('tag-suffix', raw['tag-suffix']), '');
  if (prefix.length + suffix.length > AFFIX_ROOM) {
    errors.push(
      new ActionError(
        `tag-prefix and tag-suffix have ${prefix.length + suffix.length} characters together, and a tag has at most 128, sha-<7 hex> between them included.`,
        `Shorten them to ${AFFIX_ROOM} characters together.`,
        prefix ? 'tag-prefix' : 'tag-suffix',
      ),
    );
    return { ...DEFAULT_RULES, latest };
  }
  const items = parseList(raw['version-tags'] || DEFAULT_VERSION_TAGS);
  if (items.length >= MAX_TAGS) {
    errors.push(
      new ActionError(
        `lists ${items.length} patterns; one publish sets at most ${MAX_TAGS} tags, latest included.`,
        `Give at most ${MAX_TAGS - 1}.`,
        'version-tags',
      ),
    );
    return { ...DEFAULT_RULES, latest, prefix, suffix };
  }
  const { patterns, errors: bad } = parseVersionPatterns(items, { prefix, suffix });
  errors.push(...bad);
  return bad.length > 0 ? { ...DEFAULT_RULES, latest, prefix, suffix } : { latest, patterns, prefix, suffix };
}

function checkAffix(input: keyof typeof AFFIX, value: string): string {
  const rule = AFFIX[input];
  if (value === '' || (rule.form.test(value) && /[A-Za-z0-9]/.test(value))) return value;
  throw new ActionError(
    `${quoted(value)} cannot be part of a tag: it may hold letters, digits, '_', '.' and '-'${rule.starts}, and needs a letter or digit (latest becomes the prefix and suffix without their separators).`,
    `Use for example "${rule.example}".`,
    input,
  );
}

/** `tags` as written, else the tags derived from the run with `extra-tags` added; at least one, at most MAX_TAGS. */
export function checkTags(raw: TagInputs, extra: string[], run: TagRun, rules: TagRules): RunTags {
  const given = parseTags(raw.tags);
  const derived = deriveTags(run, rules);
  if (given.length > 0) {
    return {
      tags: checkTagCount(given),
      whole: given.filter(holdsWholeVersion),
      version: derived.release ? derived.version : given[0],
      sources: [{ from: 'tags', why: 'as written, in place of the derived tags', tags: given }],
    };
  }
  const bad = derived.tags.filter((t) => !isTag(t));
  if (bad.length > 0) {
    throw new ActionError(
      `makes ${bad.map(quoted).join(', ')} of ${quoted(run.ref)}, which is not a valid tag: ${TAG_RULE}.`,
      'Use shorter patterns, tag-prefix or tag-suffix, or give the tags in tags:.',
      'version-tags',
    );
  }
  const tags = [...new Set([...derived.tags, ...extra])];
  if (tags.length === 0) {
    throw new ActionError(
      `no tags were given and none can be derived from the git ref ${quoted(run.ref)}.`,
      'Set tags: (or extra-tags:) e.g. "latest".',
      'tags',
    );
  }
  checkTagCount(tags, extra.length > 0 ? 'extra-tags' : 'version-tags');
  const whole = tags.filter((t) => derived.whole.includes(t) || (extra.includes(t) && holdsWholeVersion(t)));
  const sources = extra.length > 0 ? [...derived.sources, { from: 'extra-tags', why: 'as written', tags: extra }] : derived.sources;
  return { tags, whole, version: derived.version || tags[0], sources };
}
