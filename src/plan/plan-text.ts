import type { TagSource } from '../settings/index.js';
import { type Plan, referenceOf } from './plan.js';

/** The plan as facts for people, each row a name and its entries: the same rows in the log of a dry run and in every summary. */
export function planRows(plan: Plan): [string, string[]][] {
  const s = plan.settings;
  const rows: [string, string[]][] = [
    ['registry', [`${plan.registry} (${plan.registryType} rules)`]],
    ['image', [plan.imageName]],
    ['what', [whatItDoes(plan)]],
    ['references', plan.references.length > 0 ? plan.references : ['(the digest only)']],
  ];
  if (plan.push !== 'by-digest' && s.tagSources.length > 0) rows.push(['tags from', s.tagSources.map(tagSource)]);
  if (plan.version) rows.push(['version', [plan.version]]);
  if (plan.immutable.length > 0) rows.push(['never moved', plan.immutable]);
  rows.push([
    'credentials',
    [`${plan.credentials.order.map((c) => `${c.label} as ${c.username}`).join(', then ') || 'none'}: ${plan.credentials.why}`],
  ]);
  if (plan.credentials.skipped) rows.push(['push', [plan.credentials.skipped]]);
  if (plan.others.length > 0) {
    rows.push([
      'also pushed to',
      plan.others.map((o) => `${o.imageName} as ${o.username} (password from ${o.passwordEnv}), the same tags and digest`),
    ]);
  }
  rows.push([
    'created',
    [
      `${plan.created.date.toISOString()} (from ${plan.created.from})${plan.epoch !== undefined ? `, SOURCE_DATE_EPOCH=${plan.epoch}` : ''}`,
    ],
  ]);
  if (plan.mode === 'build') {
    rows.push([
      'build',
      [
        `context ${s.context}`,
        `file ${s.file}`,
        `platforms ${s.platforms.join(',') || 'the runner’s'}`,
        s.target && `target ${s.target}`,
        `cache ${s.cache}`,
        `provenance ${s.provenance}`,
      ].filter(Boolean),
    ]);
    if (s.buildArgs.length > 0) rows.push(['build args', s.buildArgs.map((a) => a.split('=')[0])]);
    if (s.secrets.length > 0) rows.push(['secrets', s.secrets.map((x) => x.id)]);
    rows.push(['labels', Object.entries(plan.labels).map(([k, v]) => `${k}=${v}`)]);
  }
  if (plan.mode !== 'promote' && Object.keys(plan.annotations).length > 0 && (plan.mode === 'merge' || s.platforms.length > 1)) {
    rows.push(['index annotations', Object.entries(plan.annotations).map(([k, v]) => `${k}=${v}`)]);
  }
  if (plan.prune !== undefined)
    rows.push(['prune', [`untagged versions older than ${duration(plan.prune)}, except those a tagged image needs`]]);
  return rows;
}

/** `latest: default-branch, main is the default branch → latest`. */
function tagSource(source: TagSource): string {
  const tags = source.tags === undefined ? '' : ` → ${source.tags.join(', ') || 'no tag'}`;
  return `${source.from}: ${source.why}${tags}`;
}

function whatItDoes(plan: Plan): string {
  const s = plan.settings;
  switch (plan.mode) {
    case 'promote': {
      const src = plan.promote as NonNullable<Plan['promote']>;
      return `promote ${referenceOf(plan.registry, src.path, src.reference)}: manifests only, no build, the digest unchanged`;
    }
    case 'merge':
      return `merge the images this workflow run's platform jobs pushed for ${(plan.merge ?? []).join(', ')} into one index`;
    default:
      if (plan.push === 'by-digest') return `build ${s.platforms[0]} and push it by digest for the merge job of this run`;
      return `build${s.platforms.length > 1 ? ` ${s.platforms.join(', ')} into one index` : ''}${plan.push === 'none' ? ' (push: false: nothing is pushed)' : ', push once, set every tag on the registry'}`;
  }
}

function duration(ms: number): string {
  if (ms === 0) return '0 (any age)';
  const hours = ms / 3_600_000;
  return hours % 24 === 0 ? `${hours / 24}d` : hours >= 1 && Number.isInteger(hours) ? `${hours}h` : `${Math.round(ms / 60_000)}m`;
}
