import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeGitHub } from '../support/github.js';
import { rawManifest, runWithInput } from '../support/inspect.js';
import { type GitHub, Runner, type StepResult } from '../support/runner.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

const WRITE = 'ghs_jobWithPackagesWrite0001';
const READ = 'ghs_jobWithoutPackagesWrite02';
const API_REFUSED = 'ghs_jobTheApiRefuses00000003';
const ROBOT = 'ghp_robotWithWritePackages04';
const NO_SCOPE = 'ghp_robotWithoutWriteScope05';
const FINE = 'github_pat_fineGrainedToken06';
const UNKNOWN = 'ghp_revokedOrNeverIssued0007';
const USER_JOB = 'ghs_jobOfAUserRepository0008';

const github = new FakeGitHub(
  {
    [WRITE]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Widget', packagesWrite: true },
    [READ]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Widget', packagesWrite: false },
    [API_REFUSED]: { login: 'github-actions', kind: 'github-token', repository: 'Acme/Widget', packagesWrite: true, apiRefused: true },
    [ROBOT]: { login: 'acme-robot', kind: 'classic-pat', scopes: ['write:packages'], memberOf: ['acme', 'other-org'] },
    [NO_SCOPE]: { login: 'acme-robot', kind: 'classic-pat', scopes: ['read:packages'], memberOf: ['acme'] },
    [FINE]: { login: 'acme-robot', kind: 'fine-grained-pat' },
    [USER_JOB]: { login: 'github-actions', kind: 'github-token', repository: 'Octocat/Hello', packagesWrite: true },
  },
  [
    { owner: 'acme', name: 'linked-elsewhere', repository: 'Acme/Other', visibility: 'private' },
    { owner: 'acme', name: 'granted', repository: null, visibility: 'public', actionsAccess: ['Acme/Widget'] },
  ],
  ['acme', 'other-org'],
);
const runner = new Runner();
const ROBOT_CREDS = `acme-robot:${ROBOT}`;

beforeAll(async () => {
  await github.start();
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(runner.workspace, 'hello.txt'), `credentials ${Date.now()}\n`);
});
afterAll(() => github.stop());

const context = (token: string, over: Partial<GitHub> = {}): GitHub => ({
  repository: 'Acme/Widget',
  actor: 'octocat',
  token,
  ref: 'refs/heads/main',
  ...over,
});

function publish(gh: GitHub, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<StepResult> {
  return runner.main(
    gh,
    { registry: github.host, 'registry-type': 'ghcr', tags: 'v1', ...inputs },
    { GITHUB_API_URL: github.apiUrl, ...env },
  );
}

/** The step's failure, as the runner shows it. */
const failure = (step: StepResult) =>
  step.stdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .join('\n')
    .replace(/%0A/g, '\n');
const built = (step: StepResult) => step.dockerCalls.some((c) => c.startsWith('buildx build') || c.startsWith('build '));

describe('GITHUB_TOKEN with packages: write', () => {
  let step: StepResult;
  beforeAll(async () => {
    step = await publish(context(WRITE), { image: 'widget' });
  });

  it('pushes with the token, and the registry holds the digest reported', async () => {
    expect(failure(step)).toBe('');
    expect(step.outputs['token-source']).toBe('github-token');
    expect((await rawManifest(`${github.host}/acme/widget:v1`, ROBOT_CREDS)).digest).toBe(step.outputs.digest);
  });

  it('reports the package GitHub linked from the source label, and its page', () => {
    expect(step.outputs['package-url']).toBe('https://github.com/orgs/acme/packages/container/package/widget');
    expect(step.summary).toContain('linked repository: Acme/Widget');
    expect(step.summary).toContain('visibility: private');
    expect(step.stdout).not.toContain('::warning');
  });
});

describe('the fallback to the PAT', () => {
  it('pushes with the PAT from CR_PAT when the push check refuses the token', async () => {
    const step = await publish(context(READ), { image: 'fallback', 'pat-username': 'acme-robot' }, { CR_PAT: ROBOT });
    expect(failure(step)).toBe('');
    expect(step.outputs['token-source']).toBe('pat');
    expect(step.dockerCalls.find((c) => c.startsWith('login'))).toContain('--username acme-robot');
    expect(step.masked).toContain(ROBOT);
  });

  it("goes straight to the PAT for another owner's namespace", async () => {
    const before = github.requests.length;
    const step = await publish(context(WRITE), { owner: 'other-org', image: 'tool', pat: ROBOT, 'pat-username': 'acme-robot' });
    expect(failure(step)).toBe('');
    expect(step.outputs['token-source']).toBe('pat');
    expect(step.outputs.image).toBe(`${github.host}/other-org/tool`);
    // Every token was asked for with the PAT: GITHUB_TOKEN was never tried.
    const asked = new Set(github.requests.slice(before).filter((r) => r.startsWith('token for ')));
    expect(asked).toContain('token for acme-robot');
    expect(asked).not.toContain('token for github-actions');
  });

  it('reads the PAT from the variable token-secret-name names', async () => {
    const step = await publish(
      context(READ),
      { image: 'named-secret', 'token-secret-name': 'ROBOT_TOKEN', 'pat-username': 'acme-robot' },
      { ROBOT_TOKEN: ROBOT },
    );
    expect(step.outputs['token-source']).toBe('pat');
  });
});

describe('a clear failure before anything is built', () => {
  it.each([
    [
      'GITHUB_TOKEN without packages: write',
      context(READ),
      {},
      ['token (GITHUB_TOKEN) (as octocat)', 'installation not allowed to Create organization package', 'permissions: packages: write'],
    ],
    [
      'a package linked to another repository',
      context(WRITE),
      { image: 'linked-elsewhere' },
      ['permission_denied: write_package', '"Manage Actions access"', 'Acme/Widget'],
    ],
    [
      "another owner's namespace without a PAT",
      context(WRITE),
      { owner: 'other-org' },
      ["another owner's namespace", 'scopes=write:packages', 'CR_PAT'],
    ],
    [
      'a PAT without write:packages',
      context(WRITE),
      { owner: 'other-org', pat: NO_SCOPE },
      ['the PAT in pat', 'does not match expected scopes', 'lacks the write:packages scope', 'do not add repo'],
    ],
    ['a fine-grained PAT', context(WRITE), { owner: 'other-org', pat: FINE }, ['does not accept fine-grained PATs']],
    [
      'an unknown token',
      context(UNKNOWN),
      {},
      ['unauthenticated: User cannot be authenticated with the token provided.', 'expired or revoked'],
    ],
    [
      'both refused',
      context(READ),
      { pat: NO_SCOPE },
      ['- token (GITHUB_TOKEN)', '- the PAT in pat', 'packages: write', 'write:packages scope'],
    ],
  ])('%s', async (_what, gh, inputs, says) => {
    const step = await publish(gh, { image: 'refused', ...inputs });
    expect(step.exitCode).toBe(1);
    for (const s of says) expect(failure(step)).toContain(s);
    expect(built(step)).toBe(false);
    // Nothing but the questions about the builder: no login, no build, no push.
    expect(step.dockerCalls.filter((c) => !/^(buildx inspect|info) /.test(c))).toEqual([]);
    expect(step.outputs.digest).toBeUndefined();
  });

  it('warns before using a fine-grained PAT', async () => {
    const step = await publish(context(WRITE), { owner: 'other-org', image: 'fine', pat: FINE });
    expect(step.stdout).toContain('::warning::the PAT in pat is a fine-grained personal access token');
  });
});

describe('a pull request from a fork', () => {
  it('builds, skips the push, says why and succeeds', async () => {
    const event = path.join(tempDir('event-'), 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { head: { repo: { full_name: 'someone/widget' } } } }));
    const step = await publish(
      context(READ, { event_name: 'pull_request', ref: 'refs/pull/7/merge' }),
      { tags: '', image: 'from-fork' },
      { GITHUB_EVENT_PATH: event },
    );
    expect(step.exitCode).toBe(0);
    expect(step.stdout).toContain("::notice::Not pushed: this run's GITHUB_TOKEN is read-only by design (a pull request from a fork)");
    expect(step.summary).toContain('not pushed');
    expect(step.outputs.tags).toBe(`${github.host}/acme/from-fork:pr-7`);
    expect(step.dockerCalls.filter((c) => c.startsWith('push'))).toEqual([]);
    expect(built(step)).toBe(true);
  });
});

describe('the link check', () => {
  it('warns with the steps to connect a package that is not linked', async () => {
    const step = await publish(context(WRITE), { image: 'granted' });
    expect(step.exitCode).toBe(0);
    expect(step.stdout).toContain('::warning::The package granted is not linked to any repository, not to Acme/Widget');
    expect(step.stdout).toContain('Connect repository');
    expect(step.summary).toContain('visibility: public');
  });

  it("finds a user's package under /users", async () => {
    const step = await publish(context(USER_JOB, { repository: 'Octocat/Hello' }), {});
    expect(failure(step)).toBe('');
    expect(step.outputs.image).toBe(`${github.host}/octocat/hello`);
    expect(step.outputs['package-url']).toBe('https://github.com/users/octocat/packages/container/package/hello');
    expect(step.summary).toContain('linked repository: Octocat/Hello');
  });

  it('is a notice when the API refuses the token, with the documented page address', async () => {
    const step = await publish(context(API_REFUSED), { image: 'api-refused' });
    expect(step.exitCode).toBe(0);
    expect(step.stdout).toContain(
      "::notice::The package's link to its repository was not checked: the GitHub API answered HTTP 403 (Resource not accessible by integration)",
    );
    expect(step.outputs['package-url']).toBe('https://github.com/users/acme/packages/container/package/api-refused');
  });
});

describe('retries', () => {
  it('ride out a token service that answers 503 twice', async () => {
    github.failNext('/token', 2);
    const step = await publish(context(WRITE), { image: 'flaky' });
    expect(failure(step)).toBe('');
    expect(step.outputs['token-source']).toBe('github-token');
  });
});

describe('the real docker client meets the same rules', () => {
  const docker = (args: string[], input = '') =>
    runWithInput('docker', args, input, { ...process.env, DOCKER_CONFIG: tempDir('docker-config-') });

  it('logs in with a read-only token, and is refused the push only at the upload', async () => {
    const config = tempDir('docker-config-');
    const env = { ...process.env, DOCKER_CONFIG: config };
    expect((await runWithInput('docker', ['login', '--username', 'octocat', '--password-stdin', github.host], READ, env)).status).toBe(0);
    const ref = `${github.host}/acme/denied:v1`;
    expect(
      (await runWithInput('docker', ['buildx', 'build', '--provenance=false', '--load', '-t', ref, runner.workspace], '', env)).status,
    ).toBe(0);
    const push = await runWithInput('docker', ['push', ref], '', env);
    expect(push.status).not.toBe(0);
    // All the docker engine shows of GitHub's refusal, after the build: the push check exists for this.
    // (The engine may first try to mount the layer from another repository: a query follows the path.)
    expect(push.output).toMatch(/POST request to \S+\/acme\/denied\/blobs\/uploads\/\S*: 403 Forbidden/);
  });

  it('is refused login with an unknown token', async () => {
    const login = await docker(['login', '--username', 'octocat', '--password-stdin', github.host], UNKNOWN);
    expect(login.status).not.toBe(0);
    expect(login.output).toContain('unauthenticated');
  });
});
