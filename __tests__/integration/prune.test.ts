import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPackagesApi } from '../../src/github/github-api.js';
import { PRUNE_PERMISSIONS, type PruneRequest, type PruneResult, pruneUntagged } from '../../src/github/prune.js';
import { BY_DIGEST_ANNOTATION } from '../../src/github/prune-keep.js';
import { RegistryClient } from '../../src/registry/registry-client.js';
import { FakeGitHub } from '../support/github.js';
import { OciPusher, type Pushed, sha256 } from '../support/oci-push.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const ADMIN = 'ghs_pruneJobOfThePublisher01';
const OTHER_REPO = 'ghs_pruneJobOfAnotherRepo002';
const NO_DELETE = 'ghp_pruneRobotNoDeleteScope3';
const NO_WRITE = 'ghs_pruneJobWithoutPackagesW5';
const DELETER = 'ghp_pruneRobotWithDeleteSc04';
const github = new FakeGitHub(
  {
    [ADMIN]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Widget', packagesWrite: true },
    [OTHER_REPO]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Other', packagesWrite: true },
    [NO_WRITE]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Widget', packagesWrite: false },
    [NO_DELETE]: { login: 'acme-robot', kind: 'classic-pat', scopes: ['write:packages'], memberOf: ['acme'] },
    [DELETER]: { login: 'acme-robot', kind: 'classic-pat', scopes: ['write:packages', 'delete:packages'], memberOf: ['acme'] },
  },
  [],
  ['acme'],
);
const REPO = 'acme/widget';
const DAY = 86_400_000;
const INDEX = 'application/vnd.oci.image.index.v1+json';
const ACCEPT = `${INDEX}, application/vnd.oci.image.manifest.v1+json`;
/** What the package holds: the tagged multi-platform image and the untagged versions around it. */
const v = {} as Record<
  'latest' | 'oldIndex' | 'oldAmd' | 'oldArm' | 'mainBefore' | 'main' | 'provenance' | 'orphanAttestation' | 'young' | 'pending',
  Pushed
>;

/** The versions the build made: its index and the distinct manifests it lists. */
let built: string[] = [];
const BUILT = () => built.length;
/** The old untagged versions no kept image needs. */
const GONE = () => [v.oldIndex, v.oldAmd, v.oldArm, v.mainBefore, v.orphanAttestation].map((p) => p.digest).sort();

/** Prunes `repo` (default: the read-only package's) as `secret`. */
function prune(secret: string, over: Partial<PruneRequest> = {}, repo = REPO): Promise<PruneResult> {
  const login = { username: secret.startsWith('ghp_') ? 'acme-robot' : 'github-actions', secret };
  const registry = new RegistryClient(github.host, login);
  return pruneUntagged(
    {
      owner: 'acme',
      packageType: 'container',
      packageName: repo.split('/')[1],
      repoPath: repo,
      olderThanMs: 7 * DAY,
      keepDigests: [],
      dryRun: false,
      now: new Date(),
      ...over,
    },
    {
      api: createPackagesApi(github.apiUrl, secret),
      manifest: (repo, ref) => registry.manifest(repo, ref),
      info: () => undefined,
      warning: () => undefined,
    },
  );
}

const versionDigests = (repo = REPO) => github.versions.list(repo).map((x) => x.name);
/** A client of each repository: a token covers the one repository it was asked for. */
const pushers = new Map<string, OciPusher>();
const pusherOf = (repo: string) =>
  pushers.get(repo) ?? pushers.set(repo, new OciPusher(github.host, repo, `github-actions:${ADMIN}`)).get(repo)!;
const status = async (kind: 'manifests' | 'blobs', digest: string, repo = REPO) => {
  const res = await pusherOf(repo).send('GET', `/v2/${repo}/${kind}/${digest}`, undefined, undefined, ACCEPT);
  await res.body?.cancel();
  return res.status;
};

/** Every manifest and blob every tagged version reaches, fetched from the registry: the digests that failed. */
async function unfetchableUnderTags(repo: string): Promise<string[]> {
  const failed: string[] = [];
  const walk = async (digest: string): Promise<void> => {
    const res = await pusherOf(repo).send('GET', `/v2/${repo}/manifests/${digest}`, undefined, undefined, ACCEPT);
    if (res.status !== 200) return void failed.push(digest);
    const m = (await res.json()) as { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] };
    for (const child of m.manifests ?? []) await walk(child.digest);
    for (const blob of [m.config, ...(m.layers ?? [])].filter((b) => b !== undefined)) {
      if ((await status('blobs', blob.digest, repo)) !== 200) failed.push(blob.digest);
    }
  };
  for (const version of github.versions.list(repo).filter((x) => x.tags.length > 0)) await walk(version.name);
  return failed;
}

/** The same package, seeded the same way (so with the same digests) under each name: each prune story has its own. */
const PRUNED = 'acme/pruned';
const AGED = 'acme/aged';
let dir: string;

/** Copies the built image to `repo` under `latest`, and pushes the untagged versions around it. */
async function seed(repo: string): Promise<void> {
  const run = promisify(execFile);
  const auth = path.join(dir, 'auth.json');
  writeFileSync(auth, JSON.stringify({ auths: { [github.host]: { auth: Buffer.from(`github-actions:${ADMIN}`).toString('base64') } } }));
  // Not execFileSync: the stand-in answers skopeo from this very process.
  await run('skopeo', [
    'copy',
    '--all',
    '--dest-tls-verify=false',
    '--dest-authfile',
    auth,
    `oci:${dir}/oci:latest`,
    `docker://${github.host}/${repo}:latest`,
  ]);
  const latest = (await new RegistryClient(github.host, { username: 'github-actions', secret: ADMIN }).manifest(repo, 'latest')).body;
  v.latest = { digest: sha256(latest), size: latest.length, blobs: [] };
  built = [
    ...new Set([v.latest.digest, ...(JSON.parse(latest.toString()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest)]),
  ];
  const push = new OciPusher(github.host, repo, `github-actions:${ADMIN}`);
  v.oldAmd = await push.image(undefined, 'linux/amd64', 'old amd64');
  v.oldArm = await push.image(undefined, 'linux/arm64', 'old arm64');
  v.oldIndex = await push.index(undefined, [
    { ...v.oldAmd, platform: 'linux/amd64' },
    { ...v.oldArm, platform: 'linux/arm64' },
  ]);
  v.mainBefore = await push.image('main', 'linux/amd64', 'main, first push');
  v.main = await push.image('main', 'linux/amd64', 'main, second push: the tag moved');
  const about = (p: Pushed, mediaType: string) => ({
    artifactType: 'application/vnd.in-toto+json',
    subject: { mediaType, digest: p.digest, size: p.size },
  });
  v.provenance = await push.image(undefined, 'unknown/unknown', 'provenance of latest', about(v.latest, INDEX));
  v.orphanAttestation = await push.image(undefined, 'unknown/unknown', 'provenance of the old index', about(v.oldIndex, INDEX));
  v.young = await push.image(undefined, 'linux/amd64', 'pushed just now');
  v.pending = await push.image(undefined, 'linux/arm64', 'a platform job waiting for its merge', {
    annotations: { [BY_DIGEST_ANNOTATION]: 'true' },
  });
}

beforeAll(async () => {
  await github.start();
  // The tagged image: a real two-platform build (with BuildKit's attestation manifests in its index), copied as it is.
  dir = tempDir('prune-');
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    'FROM scratch\nLABEL org.opencontainers.image.source=https://github.com/Acme/Widget\nCOPY hello.txt /hello.txt\n',
  );
  writeFileSync(path.join(dir, 'hello.txt'), `prune ${Date.now()}\n`);
  await promisify(execFile)('docker', [
    'buildx',
    'build',
    '--platform',
    'linux/amd64,linux/arm64',
    '--provenance=mode=min',
    '--output',
    `type=oci,dest=${dir}/oci,tar=false`,
    dir,
  ]);
  for (const repo of [REPO, PRUNED, AGED]) await seed(repo);
  // Ages apply to a digest in every package that has it.
  for (const x of versionDigests()) if (x !== v.young.digest) github.versions.setCreated(x, new Date(Date.now() - 40 * DAY));
  github.versions.setCreated(v.pending.digest, new Date(Date.now() - 10 * DAY));
}, 180_000);
afterAll(() => github.stop());

describe('the stand-in', () => {
  it('lists every pushed manifest as a version with the tags on it now, page by page', async () => {
    const names: string[] = [];
    let url: string | undefined = `${github.apiUrl}/orgs/acme/packages/container/widget/versions?per_page=4`;
    while (url) {
      const res: Response = await fetch(url, { headers: { Authorization: `Bearer ${ADMIN}` } });
      names.push(...((await res.json()) as { name: string }[]).map((x) => x.name));
      url = res.headers.get('link')?.match(/<([^>]+)>;\s*rel="next"/)?.[1];
    }
    expect(names.sort()).toEqual(versionDigests().sort());
    // The build's index and the manifests it lists (its two attestations may be the same bytes), and the nine pushed here.
    expect(names).toHaveLength(BUILT() + 9);
    const tags = Object.fromEntries(github.versions.list(REPO).map((x) => [x.name, x.tags]));
    expect([tags[v.latest.digest], tags[v.main.digest], tags[v.mainBefore.digest]]).toEqual([['latest'], ['main'], []]);
  });

  it('refuses an anonymous pull of a private package, and serves a public one', async () => {
    const anonymous = new RegistryClient(github.host);
    await expect(anonymous.manifest(REPO, 'latest')).rejects.toThrow('HTTP 401: unauthorized: authentication required');
    const pkg = github.packages.find((p) => p.name === 'widget')!;
    pkg.visibility = 'public';
    try {
      expect((await anonymous.manifest(REPO, 'latest')).digest).toBe(v.latest.digest);
    } finally {
      pkg.visibility = 'private';
    }
  });

  it("refuses the registry's own manifest DELETE, as ghcr.io does", async () => {
    const res = await pusherOf(REPO).send('DELETE', `/v2/${REPO}/manifests/${v.oldAmd.digest}`);
    expect(res.status).toBe(405);
    expect(await status('manifests', v.oldAmd.digest)).toBe(200);
  });
});

describe('a token that may not delete', () => {
  it.each([
    [
      "another repository's GITHUB_TOKEN (it may not even list)",
      OTHER_REPO,
      'listing the versions of package widget failed: the GitHub API answered HTTP 404 (Package not found.)',
    ],
    ["the publishing repository's GITHUB_TOKEN without packages: write", NO_WRITE, 'Pruning stopped before deleting any: deleting sha256:'],
    ['a PAT without delete:packages', NO_DELETE, 'Pruning stopped before deleting any: deleting sha256:'],
  ])('%s: a warning naming the permissions, and nothing deleted', async (_what, secret, says) => {
    const before = versionDigests();
    const result = await prune(secret);
    expect(result.deleted).toEqual([]);
    expect(result.warning).toContain(says);
    expect(result.warning).toContain(PRUNE_PERMISSIONS);
    expect(versionDigests()).toEqual(before);
    for (const p of GONE()) expect(await status('manifests', p)).toBe(200);
  });
});

describe('with the admin role', () => {
  it('a dry run names the old untagged versions no kept image needs, and deletes nothing', async () => {
    const result = await prune(ADMIN, { dryRun: true });
    expect(result.wouldDelete.sort()).toEqual(GONE());
    expect(result.deleted).toEqual([]);
    expect(versionDigests()).toHaveLength(BUILT() + 9);
  });

  describe('a prune (a package of its own)', () => {
    let result: PruneResult;
    beforeAll(async () => {
      result = await prune(ADMIN, { keepDigests: [v.main.digest] }, PRUNED);
    });

    it('deletes exactly those, from the API and from the registry', async () => {
      expect(result.warning).toBeUndefined();
      expect(result.deleted.sort()).toEqual(GONE());
      expect(result.kept).toBe(BUILT() + 9 - GONE().length);
      for (const gone of GONE()) {
        expect(versionDigests(PRUNED)).not.toContain(gone);
        expect(await status('manifests', gone, PRUNED)).toBe(404);
      }
    });

    it('keeps every platform image, attestation and layer of every tagged image fetchable', async () => {
      expect(await unfetchableUnderTags(PRUNED)).toEqual([]);
      const latest = JSON.parse(
        (await new RegistryClient(github.host, { username: 'acme-robot', secret: DELETER }).manifest(PRUNED, 'latest')).body.toString(),
      ) as {
        manifests: { digest: string }[];
      };
      expect(latest.manifests).toHaveLength(4);
      for (const child of latest.manifests) expect(versionDigests(PRUNED)).toContain(child.digest);
    });

    it("keeps the young version, the pending platform image and the tagged image's provenance", () => {
      for (const kept of [v.young, v.pending, v.provenance, v.main, v.latest]) expect(versionDigests(PRUNED)).toContain(kept.digest);
    });
  });

  it('with age 0 and a PAT with delete:packages, takes the young one too, and still not the pending image (a package of its own)', async () => {
    const result = await prune(DELETER, { olderThanMs: 0 }, AGED);
    expect(result.deleted.sort()).toEqual(
      [...GONE(), v.mainBefore.digest, v.young.digest].filter((d, i, all) => all.indexOf(d) === i).sort(),
    );
    expect(await status('manifests', v.young.digest, AGED)).toBe(404);
    expect(versionDigests(AGED)).toContain(v.pending.digest);
    expect(await unfetchableUnderTags(AGED)).toEqual([]);
  });
});

describe('a version tagged while the prune runs', () => {
  it("is kept when GitHub will not delete the package's last tagged version, and the prune says so", async () => {
    const repo = 'acme/raced';
    const raced = new OciPusher(github.host, repo, `github-actions:${ADMIN}`);
    const tagged = await raced.image('latest', 'linux/amd64', 'the release');
    const old = await raced.image(undefined, 'linux/amd64', 'an old build');
    const other = await raced.image(undefined, 'linux/amd64', 'another old build');
    for (const d of [tagged, old, other]) github.versions.setCreated(d.digest, new Date(Date.now() - 40 * DAY));
    // Another workflow moves the only tag onto the old build as the prune deletes it.
    github.beforeDelete = async (_repository, digest) => {
      if (digest !== old.digest) return;
      const res = await raced.send('GET', `/v2/${repo}/manifests/${old.digest}`, undefined, undefined, ACCEPT);
      await raced.manifest('latest', (await res.json()) as object);
    };
    try {
      const result = await prune(ADMIN, { packageName: 'raced', repoPath: repo });
      expect(result.deleted).toEqual([other.digest]);
      expect(result.warning).toContain(
        `GitHub refused to delete, and keeps: ${old.digest} (version ${github.versions.list(repo).find((x) => x.name === old.digest)?.id}): You cannot delete the last tagged version of a package. You must delete the package instead. (it was tagged since it was listed`,
      );
      expect(github.versions.list(repo).map((x) => [x.name, x.tags])).toEqual(
        expect.arrayContaining([
          [old.digest, ['latest']],
          [tagged.digest, []],
        ]),
      );
    } finally {
      github.beforeDelete = undefined;
    }
  });
});
