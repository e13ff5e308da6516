import { describe, expect, it } from '@jest/globals';
import { context, settings } from '../../__fixtures__/settings.js';
import { ATTEST_PERMISSIONS, checkAttestPermission } from '../../src/plan/attest-plan.js';
import { makePlan } from '../../src/plan/plan.js';
import { planRows } from '../../src/plan/plan-text.js';
import type { Settings } from '../../src/settings/settings.js';

const created = { date: new Date('2026-01-02T03:04:05Z'), from: 'the event payload' as const };
const planOf = (over: Partial<Settings>, ctx = context) => makePlan(settings({ attest: true, ...over }), ctx, created);

describe('what attest: true signs', () => {
  it.each<[string, Partial<Settings>, string, string]>([
    ['a build of one platform', {}, 'published and platforms', 'the published image, stored'],
    [
      'a multi-platform build',
      { platforms: ['linux/amd64', 'linux/arm64'] },
      'published and platforms',
      'the published index and each platform image',
    ],
    [
      'a platform job',
      { platforms: ['linux/arm64'], push: true, byDigest: true },
      'published and platforms',
      'the platform image this job pushes',
    ],
    ['a merge', { merge: ['linux/amd64', 'linux/arm64'] }, 'published', 'the merged index (its platform jobs attested their images)'],
    ['a promote within the repository', { promote: { kind: 'commit' } }, 'none', 'nothing new: a promote keeps the digest'],
    ['push: false', { push: false }, 'none', 'nothing: push is false'],
  ])('%s: %s', (_, over, sign, what) => {
    const attest = planOf(over).attest;
    expect(attest?.sign).toBe(sign);
    expect(attest?.what).toContain(what);
    expect(attest?.carryFrom).toBeUndefined();
  });

  it('nothing on a run that pushes nothing (a fork’s pull request without a PAT)', () => {
    expect(planOf({}, { ...context, readOnlyToken: true }).attest).toMatchObject({
      sign: 'none',
      what: 'nothing: this run pushes nothing (see push)',
    });
  });

  it('a promote from another repository carries what is attached to the image', () => {
    const attest = planOf({ promote: { kind: 'reference', path: 'acme/widget-ci', reference: 'main' } }).attest;
    expect(attest).toMatchObject({ sign: 'none', carryFrom: 'acme/widget-ci' });
    expect(attest?.what).toContain('those attached to it in acme/widget-ci are copied along');
  });

  it('is undefined with attest: false', () => {
    expect(planOf({ attest: false }).attest).toBeUndefined();
  });
});

describe('the Sigstore instance, by the repository’s visibility in the event payload', () => {
  it.each([
    ['public', 'public-good', "Sigstore's public-good instance: a public repository"],
    ['private', 'github', "GitHub's Sigstore instance: a private repository"],
    ['internal', 'github', "GitHub's Sigstore instance: an internal repository"],
    ['', 'github', 'the event payload does not say that it is a public repository'],
  ])('%j → %s', (visibility, instance, why) => {
    const attest = planOf({}, { ...context, visibility }).attest;
    expect(attest?.instance).toBe(instance);
    expect(attest?.why).toContain(why);
  });
});

describe('the permission signing needs', () => {
  const noIdToken = { ...context, idToken: false };

  it('without id-token: write, a run that signs fails naming the permissions: lines to add', () => {
    const plan = planOf({}, noIdToken);
    expect(() => checkAttestPermission(plan.attest, noIdToken)).toThrow(
      `Give the job these permissions:\n${ATTEST_PERMISSIONS.join('\n')}`,
    );
    expect(ATTEST_PERMISSIONS).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ {2}id-token: write/), expect.stringMatching(/^ {2}attestations: write/)]),
    );
  });

  it.each<[string, Partial<Settings>]>([
    ['push: false', { push: false }],
    ['a promote', { promote: { kind: 'commit' } }],
    ['attest: false', { attest: false }],
  ])('is not needed by %s, which signs nothing', (_, over) => {
    expect(() => checkAttestPermission(planOf(over, noIdToken).attest, noIdToken)).not.toThrow();
  });

  it('is there with id-token: write', () => {
    expect(() => checkAttestPermission(planOf({}).attest, context)).not.toThrow();
  });
});

describe('the plan as people read it', () => {
  it('has an attest row: what is signed and with which instance, or why nothing is', () => {
    expect(planRows(planOf({})).find(([k]) => k === 'attest')?.[1]).toEqual([
      "SLSA v1 build provenance of the published image, stored with GitHub's attestations API and attached to the image in the registry",
      "signed with Sigstore's public-good instance: a public repository (the signature goes to its public transparency log)",
    ]);
    expect(planRows(planOf({ push: false })).find(([k]) => k === 'attest')?.[1]).toEqual([
      'nothing: push is false, so nothing is published to attest',
    ]);
    expect(planRows(planOf({ attest: false })).some(([k]) => k === 'attest')).toBe(false);
  });
});
