import { describe, expect, it } from '@jest/globals';
import { GitHubApiError, type PackageVersion, type PackagesApi } from '../../src/github/github-api.js';
import {
  PRUNE_MAX_DELETES,
  PRUNE_MAX_LIST_PAGES,
  PRUNE_PERMISSIONS,
  type PruneRequest,
  type PruneResult,
  pruneUntagged,
} from '../../src/github/prune.js';
import { BY_DIGEST_ANNOTATION, manifestFacts } from '../../src/github/prune-keep.js';

const DAY = 86_400_000;
const NOW = new Date('2025-06-01T00:00:00Z');

/** One manifest of the package: a version unless `notAVersion`; ages in days. Digests are readable names. */
interface Node {
  digest: string;
  age: number;
  tags?: string[];
  children?: string[];
  subject?: string;
  byDigest?: boolean;
  notAVersion?: boolean;
  unreadable?: boolean;
}

const img = (digest: string, age: number, more: Partial<Node> = {}): Node => ({ digest, age, ...more });
const index = (digest: string, age: number, children: string[], more: Partial<Node> = {}): Node => ({ digest, age, children, ...more });

/** A package on a fake GitHub and registry; records deletions, fails the ones `failDelete` names; `listing` replaces the API's listing. */
function world(nodes: Node[], failDelete: Record<string, GitHubApiError> = {}, listing?: PackagesApi['listVersions']) {
  const deletions: string[] = [];
  const logs: string[] = [];
  const warnings: string[] = [];
  const versions: PackageVersion[] = nodes
    .filter((n) => !n.notAVersion)
    .map((n, i) => ({
      id: 100 + i,
      name: n.digest,
      tags: n.tags ?? [],
      createdAt: new Date(NOW.getTime() - n.age * DAY).toISOString(),
      updatedAt: NOW.toISOString(),
    }));
  const api: PackagesApi = {
    getPackage: async () => ({}),
    listVersions: listing ?? (async () => ({ versions, complete: true })),
    deleteVersion: async (_owner, _type, _name, id) => {
      const digest = versions.find((v) => v.id === id)?.name ?? '';
      if (failDelete[digest]) throw failDelete[digest];
      deletions.push(digest);
    },
  };
  const manifest = async (_repo: string, ref: string) => {
    const n = nodes.find((x) => x.digest === ref);
    if (!n || n.unreadable) throw new Error(`reading manifest acme/widget:${ref}: HTTP 404: manifest_unknown: manifest unknown`);
    const body = {
      schemaVersion: 2,
      ...(n.children ? { manifests: n.children.map((digest) => ({ digest })) } : { config: {}, layers: [] }),
      ...(n.subject ? { subject: { digest: n.subject } } : {}),
      ...(n.byDigest ? { annotations: { [BY_DIGEST_ANNOTATION]: 'true' } } : {}),
    };
    return { digest: ref, mediaType: 'application/vnd.oci.image.manifest.v1+json', body: Buffer.from(JSON.stringify(body)) };
  };
  const prune = (over: Partial<PruneRequest> = {}): Promise<PruneResult> =>
    pruneUntagged(
      {
        owner: 'acme',
        packageType: 'container',
        packageName: 'widget',
        repoPath: 'acme/widget',
        olderThanMs: 7 * DAY,
        keepDigests: [],
        dryRun: false,
        now: NOW,
        ...over,
      },
      { api, manifest, info: (m) => logs.push(m), warning: (m) => warnings.push(m) },
    );
  return { prune, deletions, logs, warnings };
}

describe('which untagged versions go (older than 7 days unless said)', () => {
  it.each<[string, Node[], string[], Partial<PruneRequest>?]>([
    [
      'a tagged index keeps its platform images',
      [index('idx', 30, ['amd', 'arm'], { tags: ['latest'] }), img('amd', 30), img('arm', 30)],
      [],
    ],
    [
      'an old untagged index goes with its platform images, the index first',
      [index('old', 30, ['amd', 'arm']), img('amd', 30), img('arm', 30)],
      ['old', 'amd', 'arm'],
    ],
    [
      'a nested index of a tagged one keeps its images',
      [index('outer', 30, ['inner'], { tags: ['1.0'] }), index('inner', 30, ['amd']), img('amd', 30)],
      [],
    ],
    [
      'a chain of referrers to a tagged image is kept, one to a deleted image goes first',
      [
        img('app', 30, { tags: ['v1'] }),
        img('sig', 30, { subject: 'app' }),
        img('sig-of-sig', 30, { subject: 'sig' }),
        img('gone', 30),
        img('att-of-gone', 30, { subject: 'gone' }),
      ],
      ['att-of-gone', 'gone'],
    ],
    [
      'attest on a registry without referrers: each sha256-<hex> tag index and the attestations it lists stay with the image',
      [
        index('idx', 30, ['amd', 'arm'], { tags: ['1.0'] }),
        img('amd', 30),
        img('arm', 30),
        index('tags-idx', 30, ['att-idx'], { tags: ['sha256-idx'] }),
        img('att-idx', 30, { subject: 'idx' }),
        index('tags-amd', 30, ['att-amd'], { tags: ['sha256-amd'] }),
        img('att-amd', 30, { subject: 'amd' }),
        img('att-arm', 30, { subject: 'arm' }),
      ],
      [],
    ],
    ['a by-digest image no index lists, younger than 35 days, is kept', [img('pending', 20, { byDigest: true })], []],
    ['a by-digest image older than a workflow run can last goes', [img('stale', 40, { byDigest: true })], ['stale']],
    [
      'a by-digest image an untagged index already lists goes with it',
      [index('merged', 20, ['plat']), img('plat', 20, { byDigest: true })],
      ['merged', 'plat'],
    ],
    [
      'a by-digest image a tagged index lists is kept as its child',
      [index('rel', 20, ['plat'], { tags: ['main'] }), img('plat', 20, { byDigest: true })],
      [],
    ],
    ['a young untagged version is kept', [img('young', 2), img('old', 8)], ['old']],
    ['age 0 takes any age', [img('young', 0.01), img('old', 8)], ['young', 'old'], { olderThanMs: 0 }],
    ['a young untagged index keeps its older images', [index('young-idx', 1, ['amd']), img('amd', 30)], []],
    [
      'the image just published and its children are kept, however old their versions',
      [index('published', 90, ['amd']), img('amd', 90), img('other', 90)],
      ['other'],
      { keepDigests: ['published'] },
    ],
    [
      'a manifest a tagged index lists that is not a version is read, not deleted',
      [index('rel', 30, ['hidden'], { tags: ['x'] }), index('hidden', 30, ['amd'], { notAVersion: true }), img('amd', 30)],
      [],
    ],
  ])('%s', async (_what, nodes, deleted, over = {}) => {
    const w = world(nodes);
    const result = await w.prune(over);
    expect(result.deleted).toEqual(deleted);
    expect(w.deletions).toEqual(deleted);
    expect(result.kept).toBe(nodes.filter((n) => !n.notAVersion).length - deleted.length);
    expect(result.warning).toBeUndefined();
    expect(w.warnings).toEqual([]);
  });
});

describe('when in doubt, nothing is deleted', () => {
  it('a tagged manifest that cannot be read: nothing deleted, the warning names it and why', async () => {
    const w = world([img('rel', 30, { tags: ['1.0'], unreadable: true }), img('old', 30)]);
    const result = await w.prune();
    expect(result.deleted).toEqual([]);
    expect(w.deletions).toEqual([]);
    expect(result.warning).toContain('Nothing was pruned: the manifest rel (tagged 1.0) could not be read from the registry');
    expect(result.warning).toContain('manifest unknown');
    expect(w.warnings).toEqual([result.warning]);
  });

  it('an untagged manifest whose subject must be read: nothing deleted', async () => {
    const w = world([img('rel', 30, { tags: ['1.0'] }), img('mystery', 30, { unreadable: true }), img('old', 30)]);
    const result = await w.prune();
    expect(w.deletions).toEqual([]);
    expect(result.warning).toContain('the manifest mystery (untagged)');
  });

  it('a child of a tagged index that cannot be read: nothing deleted', async () => {
    const w = world([index('rel', 30, ['inner'], { tags: ['1.0'] }), index('inner', 30, ['amd'], { unreadable: true }), img('old', 30)]);
    expect((await w.prune()).warning).toContain('the manifest inner (untagged)');
    expect(w.deletions).toEqual([]);
  });

  it('a listing the API refuses: a warning with the permissions, nothing deleted', async () => {
    const api403 = new GitHubApiError(403, 'Resource not accessible by integration', false);
    const w = world([img('old', 30)], {}, async () => Promise.reject(api403));
    const result = await w.prune({ olderThanMs: 0 });
    expect(result).toEqual({ deleted: [], wouldDelete: [], kept: 0, warning: w.warnings[0] });
    expect(result.warning).toBe(
      `Nothing was pruned: listing the versions of package widget failed: the GitHub API answered HTTP 403 (Resource not accessible by integration). ${PRUNE_PERMISSIONS}`,
    );
    expect(w.deletions).toEqual([]);
  });
});

describe('a deletion GitHub refuses', () => {
  const nodes = [img('a', 30), img('b', 30), img('c', 30)];

  it.each([
    ['403', new GitHubApiError(403, 'Resource not accessible by integration', false), ['packages: write', 'admin role', 'delete:packages']],
    [
      '404 (what GitHub answers a token without the admin role: canonical/authd#1376)',
      new GitHubApiError(404, 'Package not found.', false),
      ['Package not found.', 'lacks the admin role on the package', 'with the Admin role', 'delete:packages'],
    ],
    ['a rate limit', new GitHubApiError(429, 'API rate limit exceeded', true), ["GitHub's API rate limit", 'the next publish goes on']],
    ['no answer', new GitHubApiError(0, 'ECONNRESET', false), ['could not be reached (ECONNRESET)']],
  ])('%s: stops with a warning; deleted lists only what went', async (_what, error, says) => {
    const w = world(nodes, { b: error });
    const result = await w.prune();
    expect(result.deleted).toEqual(['a']);
    expect(result.kept).toBe(2);
    expect(result.warning).toContain('Pruning stopped after deleting 1 of 3: deleting b (version 101) failed: ');
    for (const s of says) expect(result.warning).toContain(s);
  });

  it('refused at the first: says none was deleted', async () => {
    const w = world(nodes, { a: new GitHubApiError(403, 'Resource not accessible by integration', false) });
    const result = await w.prune();
    expect(result.deleted).toEqual([]);
    expect(result.warning).toMatch(/^Pruning stopped before deleting any: deleting a /);
  });
});

describe("within the Packages API's limits", () => {
  it(`deletes at most ${PRUNE_MAX_DELETES} a run, says how far it got, and the next run goes on`, async () => {
    const many = Array.from({ length: PRUNE_MAX_DELETES + 30 }, (_, i) => img(`old${i}`, 30 + i));
    const first = world(many);
    const result = await first.prune();
    expect(result.deleted).toHaveLength(PRUNE_MAX_DELETES);
    expect(result.warning).toBe(
      `Pruned ${PRUNE_MAX_DELETES} of ${PRUNE_MAX_DELETES + 30} untagged versions that no kept image needs: at most ${PRUNE_MAX_DELETES} a run, within GitHub's API rate limits; the next publish deletes more.`,
    );
    const next = world(many.filter((n) => !first.deletions.includes(n.digest)));
    expect((await next.prune()).deleted).toHaveLength(30);
    expect(next.warnings).toEqual([]);
  });

  it('a package with more versions than a run reads: nothing pruned, saying why', async () => {
    const asked: (number | undefined)[] = [];
    const w = world([img('old', 30)], {}, async (_o, _t, _n, maxPages) => {
      asked.push(maxPages);
      return { versions: [], complete: false };
    });
    const result = await w.prune({ olderThanMs: 0 });
    expect(asked).toEqual([PRUNE_MAX_LIST_PAGES]);
    expect(result.deleted).toEqual([]);
    expect(result.warning).toContain(`more than a run reads (${PRUNE_MAX_LIST_PAGES} pages`);
  });
});

describe('a version GitHub will not delete', () => {
  it.each([
    // kairos-io/kairos#4723
    [
      'the last tagged version',
      'You cannot delete the last tagged version of a package. You must delete the package instead.',
      'tagged since it was listed',
    ],
    // docs.github.com, "Deleting and restoring a package" (the rule; the words are GitHub's, not documented)
    [
      'a public version downloaded over 5,000 times',
      'Publicly visible package versions with more than 5000 downloads cannot be deleted.',
      'downloaded more than 5,000 times',
    ],
  ])('%s (400): kept, said as it is, and the others still go', async (_what, words, says) => {
    const w = world([img('a', 30), img('b', 30), img('c', 30)], { b: new GitHubApiError(400, words, false) });
    const result = await w.prune();
    expect(result.deleted).toEqual(['a', 'c']);
    expect(result.kept).toBe(1);
    expect(result.warning).toBe(
      `GitHub refused to delete, and keeps: b (version 101): ${words} (${result.warning?.split(`${words} (`)[1]}`,
    );
    expect(result.warning).toContain(says);
  });
});

describe('a dry run', () => {
  it('lists what would go and why the rest stays, and deletes nothing', async () => {
    const w = world([index('rel', 30, ['amd'], { tags: ['latest'] }), img('amd', 30), img('old', 30), img('young', 1)]);
    const result = await w.prune({ dryRun: true });
    expect(result).toEqual({ deleted: [], wouldDelete: ['old'], kept: 3 });
    expect(w.deletions).toEqual([]);
    expect(w.logs).toEqual([
      'Package widget: 4 versions, 1 tagged; 1 untagged version older than 7d that no kept image needs.',
      'would keep amd: listed by rel',
      'would keep young: younger than the age to prune',
      `would delete old (version 102, created ${new Date(NOW.getTime() - 30 * DAY).toISOString()})`,
    ]);
  });
});

describe('reading a manifest', () => {
  it.each([
    [
      'an index',
      { manifests: [{ digest: 'sha256:a' }, { digest: 'sha256:b' }] },
      { children: ['sha256:a', 'sha256:b'], subject: undefined, byDigest: false },
    ],
    ['an attestation', { layers: [], subject: { digest: 'sha256:s' } }, { children: [], subject: 'sha256:s', byDigest: false }],
    [
      'a by-digest image',
      { layers: [], annotations: { [BY_DIGEST_ANNOTATION]: 'true' } },
      { children: [], subject: undefined, byDigest: true },
    ],
  ])('%s', (_what, json, facts) => {
    expect(manifestFacts(JSON.stringify(json))).toEqual(facts);
  });

  it('throws on bytes that are not a manifest', () => {
    expect(() => manifestFacts('<html>')).toThrow();
    expect(() => manifestFacts('null')).toThrow('not a JSON object');
  });
});
