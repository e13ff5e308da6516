import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { makePlan } from '../../src/plan/plan.js';
import { planRows } from '../../src/plan/plan-text.js';

const created = { date: new Date('2026-01-02T03:04:05Z'), from: 'the event payload' as const };
const row = (rows: [string, string[]][], name: string) => rows.find(([k]) => k === name)?.[1];

describe('the plan as people read it', () => {
  const tagSources = [
    { from: 'branch', why: 'main', tags: ['main-alpine'] },
    { from: 'latest', why: 'default-branch, main is the default branch', tags: ['alpine'] },
    { from: 'latest', why: 'auto, refs/heads/main is not a stable version tag', tags: [] },
    { from: 'tag-suffix', why: '"-alpine" after each derived tag; latest is "alpine"' },
  ];

  it('shows which input gave which tags and why, and the version', () => {
    const rows = planRows(makePlan(settings({ tags: ['main-alpine', 'alpine'], tagSources, version: 'main' }), context, created));
    expect(row(rows, 'tags from')).toEqual([
      'branch: main → main-alpine',
      'latest: default-branch, main is the default branch → alpine',
      'latest: auto, refs/heads/main is not a stable version tag → no tag',
      'tag-suffix: "-alpine" after each derived tag; latest is "alpine"',
    ]);
    expect(row(rows, 'version')).toEqual(['main']);
  });

  it('has no tag rows for a platform job, which publishes no tags', () => {
    const rows = planRows(makePlan(settings({ byDigest: true, platforms: ['linux/arm64'], tagSources }), context, created));
    expect(row(rows, 'tags from')).toBeUndefined();
  });
});
