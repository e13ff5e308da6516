import semver from 'semver';
import { sanitizeTag } from './tags.js';
import { DEFAULT_VERSION_TAGS, type VersionPattern, type VersionTag, parseVersionPatterns, versionTags } from './version-tags.js';

// The tags derived from the run's ref (the interface's table), shaped by latest, version-tags, tag-prefix and tag-suffix.

export const LATEST_MODES = ['auto', 'default-branch', 'true', 'false'] as const;
export type LatestMode = (typeof LATEST_MODES)[number];

export interface TagRules {
  latest: LatestMode;
  patterns: VersionPattern[];
  prefix: string;
  suffix: string;
}

export const DEFAULT_RULES: TagRules = {
  latest: 'auto',
  patterns: parseVersionPatterns(DEFAULT_VERSION_TAGS.split(','), { prefix: '', suffix: '' }).patterns,
  prefix: '',
  suffix: '',
};

/** What of the run the tags come from. */
export interface TagRun {
  ref: string;
  sha: string;
  eventName: string;
  /** The event payload's `repository.default_branch`, when it has one. */
  defaultBranch?: string;
}

/** Which input or part of the ref gave which tags, and why: the plan shows these. */
export interface TagSource {
  from: string;
  why: string;
  /** Undefined for a source that shapes tags rather than adding them (the affixes). */
  tags?: string[];
}

export interface DerivedTags {
  /** With prefix and suffix, without repeats, `latest` last. */
  tags: string[];
  /** Those holding the whole version, which `immutable-tags` keeps from moving. */
  whole: string[];
  /** The semver version of a version tag ref, else the first derived tag without prefix and suffix. */
  version: string;
  /** The ref is a version tag (`refs/tags/v1.2.3`). */
  release: boolean;
  sources: TagSource[];
}

interface Group {
  from: string;
  why: string;
  tags: VersionTag[];
}

/** Tags for the run, as the interface's table says and the rules change it; none when the ref gives none. */
export function deriveTags(run: TagRun, rules: TagRules = DEFAULT_RULES): DerivedTags {
  const room = 128 - rules.prefix.length - rules.suffix.length;
  const { groups, version, stable } = refGroups(run, rules.patterns, room);
  const latest = latestDecision(run, rules.latest, stable);
  const affixed = (tag: string) => `${rules.prefix}${tag}${rules.suffix}`;
  const sources: TagSource[] = groups.map((g) => ({ from: g.from, why: g.why, tags: g.tags.map((t) => affixed(t.tag)) }));
  const name = latestName(rules.prefix, rules.suffix);
  sources.push({ from: 'latest', why: `${rules.latest}, ${latest.why}`, tags: latest.on ? [name] : [] });
  if (rules.prefix) sources.push({ from: 'tag-prefix', why: `"${rules.prefix}" before each derived tag; latest is "${name}"` });
  if (rules.suffix) sources.push({ from: 'tag-suffix', why: `"${rules.suffix}" after each derived tag; latest is "${name}"` });
  const all = groups.flatMap((g) => g.tags.map((t) => ({ tag: affixed(t.tag), whole: t.whole })));
  if (latest.on) all.push({ tag: name, whole: false });
  const tags = [...new Set(all.map((t) => t.tag))];
  const whole = tags.filter((t) => all.some((x) => x.tag === t && x.whole));
  return { tags, whole, version: version ?? groups[0]?.tags[0]?.tag ?? '', release: version !== undefined, sources };
}

/** `latest` with a prefix or suffix: the two without their separators, joined by the suffix's (`app-`, `-alpine` → `app-alpine`). */
export function latestName(prefix: string, suffix: string): string {
  const p = prefix.replace(/[-._]+$/, '');
  const s = suffix.replace(/^[-._]+/, '');
  if (!p || !s) return p || s || 'latest';
  return `${p}${suffix.slice(0, suffix.length - s.length) || prefix.slice(p.length)}${s}`;
}

function refGroups(run: TagRun, patterns: VersionPattern[], room: number): { groups: Group[]; version?: string; stable: boolean } {
  const commit: Group[] = /^[0-9a-f]{7,}$/i.test(run.sha)
    ? [{ from: 'commit', why: run.sha, tags: [moving(`sha-${run.sha.slice(0, 7).toLowerCase()}`)] }]
    : [];
  if (run.eventName === 'schedule')
    return { groups: [{ from: 'schedule', why: 'a scheduled run', tags: [moving('nightly')] }, ...commit], stable: false };
  let m: RegExpMatchArray | null;
  if ((m = run.ref.match(/^refs\/tags\/(.+)$/))) {
    const name = m[1];
    const version = semver.parse(name.replace(/^v/, ''));
    if (!version) return { groups: nonEmpty({ from: 'git tag', why: name, tags: [moving(sanitizeTag(name, room))] }), stable: false };
    const prerelease = version.prerelease.length > 0;
    const only = prerelease ? ', a prerelease' : version.major === 0 ? ', a 0.x version' : '';
    const why = `${patterns.map((p) => p.text).join(',')} on ${name}${only}${only && ': only the patterns holding the whole version'}`;
    return {
      groups: [{ from: 'version-tags', why, tags: versionTags(patterns, version, name) }],
      version: version.version,
      stable: !prerelease,
    };
  }
  if ((m = run.ref.match(/^refs\/heads\/(.+)$/)))
    return {
      groups: [...nonEmpty({ from: 'branch', why: m[1], tags: [moving(sanitizeTag(m[1].toLowerCase(), room))] }), ...commit],
      stable: false,
    };
  if ((m = run.ref.match(/^refs\/pull\/(\d+)\/(?:merge|head)$/)))
    return { groups: [{ from: 'pull request', why: `#${m[1]}`, tags: [moving(`pr-${m[1]}`)] }], stable: false };
  return { groups: commit, stable: false };
}

function moving(tag: string): VersionTag {
  return { tag, whole: false };
}

function nonEmpty(group: Group): Group[] {
  return group.tags.every((t) => t.tag === '') ? [] : [group];
}

function latestDecision(run: TagRun, mode: LatestMode, stable: boolean): { on: boolean; why: string } {
  const branch = run.ref.match(/^refs\/heads\/(.+)$/)?.[1];
  switch (mode) {
    case 'auto':
      return stable
        ? { on: true, why: `${run.ref.slice('refs/tags/'.length)} is a stable version` }
        : { on: false, why: `${run.ref || 'the run'} is not a stable version tag` };
    case 'default-branch':
      if (run.eventName === 'schedule') return { on: false, why: 'a scheduled run publishes nightly instead' };
      if (run.eventName.startsWith('pull_request')) return { on: false, why: 'a pull request never publishes latest' };
      if (!run.defaultBranch) return { on: false, why: 'the event payload names no default branch' };
      if (branch === run.defaultBranch) return { on: true, why: `${branch} is the default branch` };
      return { on: false, why: `${branch ?? run.ref} is not the default branch (${run.defaultBranch})` };
    case 'true':
      return { on: true, why: 'on every publish' };
    default:
      return { on: false, why: 'never' };
  }
}
