import { InputErrors } from '../src/runner/errors.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GitHubContext, readContext } from '../src/runner/github-context.js';
import { INPUT_NAMES, type RawInputs } from '../src/settings/inputs.js';
import { InputConflict } from '../src/settings/settings-rules.js';
import { type Settings, defaultFor } from '../src/settings/settings.js';
import { holdsWholeVersion } from '../src/settings/tags.js';
import { tempDir } from './temp-dir.js';

/** A valid release publish to ghcr.io, for tests to vary. */
export function settings(over: Partial<Settings> = {}): Settings {
  const tags = over.tags ?? ['1.2.3', 'latest'];
  return {
    registry: 'ghcr.io',
    registryType: 'ghcr',
    owner: 'acme',
    repository: 'Acme/Widget',
    path: 'acme/widget',
    imageName: 'ghcr.io/acme/widget',
    references: tags.map((t) => `ghcr.io/acme/widget:${t}`),
    token: 'ghs_token',
    username: 'octocat',
    pat: '',
    patSource: 'CR_PAT',
    tokenSecretName: 'CR_PAT',
    patUsername: 'octocat',
    context: '.',
    file: 'Dockerfile',
    buildArgs: [],
    target: '',
    platforms: [],
    secrets: [],
    cache: true,
    provenance: false,
    labels: {},
    description: '',
    licenses: '',
    push: true,
    byDigest: false,
    logout: true,
    reproducible: true,
    immutableTags: true,
    dryRun: false,
    merge: [],
    alsoPushTo: [],
    changed: [],
    tagSources: [],
    tagPrefix: '',
    tagSuffix: '',
    ...over,
    tags,
    wholeVersionTags: over.wholeVersionTags ?? tags.filter(holdsWholeVersion),
    version: over.version ?? tags[0] ?? '',
  };
}

export const context: GitHubContext = {
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  repository: 'Acme/Widget',
  repositoryOwner: 'Acme',
  ref: 'refs/tags/v1.2.3',
  sha: '0123456789abcdef0123456789abcdef01234567',
  actor: 'octocat',
  eventName: 'push',
  runId: '1',
  runAttempt: '1',
  readOnlyToken: false,
  ownerType: 'Organization',
};

/** The inputs as the runner hands them over: action.yml's defaults with their `${{ github.* }}` evaluated, then `over`. */
export function runnerInputs(ctx: GitHubContext, over: Partial<RawInputs> = {}): RawInputs {
  const defaults = Object.fromEntries(INPUT_NAMES.map((name) => [name, defaultFor(name, ctx) ?? ''])) as RawInputs;
  return { ...defaults, ...over };
}

/** What `fn` refused: each error's input, a conflict as `a+b`, and its message. [] when it throws nothing. */
export function refusals(fn: () => unknown): { inputs: string[]; messages: string[] } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof InputErrors)) throw e;
    return {
      inputs: e.errors.map((x) => (x instanceof InputConflict ? x.inputs.join('+') : (x.input ?? ''))),
      messages: e.errors.map((x) => x.message),
    };
  }
  return { inputs: [], messages: [] };
}

/** A release run of Acme/Widget as the runner describes it, and a build context with a Dockerfile in it. */
export function releaseRun(): { ctx: GitHubContext; dir: string } {
  const dir = tempDir('ctx-');
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  const ctx = readContext({
    GITHUB_REPOSITORY: 'Acme/Widget',
    GITHUB_ACTOR: 'octocat',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  });
  return { ctx, dir };
}
