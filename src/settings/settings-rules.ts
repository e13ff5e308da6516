import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ActionError, safeText } from '../runner/index.js';
import { type PromoteInput, isEnvName, quoted } from './formats.js';
import { checkPath, suggestPath } from './names.js';
import type { RegistryType } from '../registry/index.js';
import type { PromoteSource } from './settings.js';

// The checks of single inputs and the inputs that cannot go together. Each throws or returns ActionErrors.

/** Two inputs that cannot go together: the message names both; `inputs` says which, in that order. */
export class InputConflict extends ActionError {
  constructor(
    readonly inputs: readonly [string, string],
    why: string,
    fix: string,
  ) {
    super(`'${inputs[0]}' and '${inputs[1]}' cannot go together: ${why}`, fix);
    this.name = 'InputConflict';
  }
}

/** Inputs only a build uses: with `promote` or `merge` they must stay at action.yml's defaults. */
export const BUILD_INPUTS = ['context', 'file', 'build-args', 'target', 'platforms', 'secrets', 'provenance', 'labels', 'cache'];

/** Inputs that shape or add to the derived tags: with `tags` they must stay at their defaults. */
export const TAG_INPUTS = ['latest', 'version-tags', 'tag-prefix', 'tag-suffix', 'extra-tags'];

const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function fail(input: string, problem: string, fix: string): never {
  throw new ActionError(problem, fix, input);
}

export function checkTokenSecretName(value: string): string {
  if (!isEnvName(value))
    fail(
      'token-secret-name',
      `${quoted(value)} is not an environment variable name.`,
      'Use letters, digits and underscores, e.g. "CR_PAT".',
    );
  return value;
}

export function checkOwner(value: string): string {
  if (value.includes('/')) fail('owner', `${quoted(value)} has a "/": an owner is one account or organization.`, 'Use for example "acme".');
  return checkPath('owner', value, 'owner name');
}

export function checkRepository(value: string): string {
  if (!/^[^/\s]+\/[^/\s]+$/.test(value)) {
    fail(
      'repository',
      `${quoted(value)} is not an owner/name repository.`,
      'Use for example "acme/widget" (the default is ${{ github.repository }}).',
    );
  }
  return value;
}

/** The `image` input, or the repository's name when it is empty. */
export function checkImage(given: string, repoName: string): string {
  if (given) return checkPath('image', given, 'image name');
  try {
    return checkPath('image', repoName, 'image name');
  } catch {
    return fail(
      'image',
      `the repository's name ${quoted(repoName)}, the default image name, is not a valid image name.`,
      `Set image: explicitly, e.g. "${suggestPath(repoName)}".`,
    );
  }
}

export function checkContext(context: string): string {
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    fail(
      'context',
      `the build context ${quoted(context)} is not a directory (working directory: ${safeText(process.cwd())}).`,
      'Check out the repository first (actions/checkout) or point context at the folder to build.',
    );
  }
  return context;
}

/** `file`, or `<context>/Dockerfile` when it is empty (then a missing one is the context's fault). */
export function checkFile(given: string, context: string): string {
  const file = given || path.join(context, 'Dockerfile');
  if (!existsSync(file) || !statSync(file).isFile()) {
    fail(
      given ? 'file' : 'context',
      `there is no Dockerfile at ${quoted(file)}.`,
      given ? 'Give the path of an existing Dockerfile.' : 'Add a Dockerfile to the context, or set file: to its path.',
    );
  }
  return file;
}

/** Free text kept as given (newlines too), at most `max` characters as GitHub shows. */
export function checkLength(input: string, value: string, max: number): string {
  if (value.length > max)
    fail(input, `is ${value.length} characters long; GitHub shows at most ${max}.`, `Shorten it to ${max} characters.`);
  return value;
}

export function checkTarget(value: string): string {
  if (value && !TARGET.test(value))
    fail('target', `${quoted(value)} is not a build stage name.`, 'Use the name after AS in a FROM line, e.g. "runtime".');
  return value;
}

/** A promote source on this step's registry; `commit` needs the run's commit. */
export function checkPromote(source: PromoteInput, registry: string, sha: string): PromoteSource {
  if (source.kind === 'commit' && !/^[0-9a-f]{7,}$/i.test(sha)) {
    fail('promote', "commit stands for this run's commit (GITHUB_SHA), and this run has none.", 'Promote a tag or digest instead.');
  }
  if (source.kind !== 'reference') return source;
  if (source.host !== registry) {
    fail(
      'promote',
      `${quoted(`${source.host}/${source.path}`)} is on ${safeText(source.host)}, not on this step's registry ${registry} (input 'registry'): promote copies manifests within one registry.`,
      `Promote an image on ${registry}, or set registry: ${safeText(source.host)} to publish there.`,
    );
  }
  return { kind: 'reference', path: source.path, reference: source.reference };
}

/** Pruning goes through GitHub's Packages API, which a generic registry has not. */
export function checkPruneRegistry(type: RegistryType, registry: string): void {
  if (type !== 'generic') return;
  fail(
    'prune-untagged',
    `deletes through GitHub's Packages API, and ${registry || 'this registry'} is a generic registry (input 'registry-type'), which has none.`,
    'Remove prune-untagged:, or set registry-type: ghcr (or docker-pkg) if this host is a GitHub registry.',
  );
}

export interface Modes {
  push: boolean;
  byDigest: boolean;
  promote: boolean;
  merge: boolean;
  /** The platforms `platforms` lists. */
  platforms: string[];
  alsoPushTo: boolean;
  /** Inputs set away from their defaults. */
  changed: string[];
}

/** Every pair of inputs that cannot go together, each error naming both. */
export function conflicts(m: Modes): InputConflict[] {
  const found: InputConflict[] = [];
  const add = (a: string, b: string, why: string, fix: string) => found.push(new InputConflict([a, b], why, fix));
  if (m.merge && m.promote) {
    add(
      'merge',
      'promote',
      "merge publishes one index of the images this run's platform jobs pushed; promote publishes one the registry already holds.",
      'Use one of them in a step.',
    );
  }
  if (m.changed.includes('tags')) {
    for (const input of TAG_INPUTS.filter((i) => m.changed.includes(i)))
      add(
        'tags',
        input,
        `tags replaces the derived tags, and ${input} shapes or adds to those, so it would be ignored.`,
        `Put every tag in tags:, or remove tags: to have them derived with ${input}.`,
      );
  }
  for (const input of BUILD_INPUTS.filter((i) => m.changed.includes(i))) {
    if (m.promote) {
      add(
        'promote',
        input,
        `promote publishes an image the registry already holds and builds nothing, so ${input} would be ignored.`,
        `Remove ${input}: from this step; it belongs to the step that builds the image.`,
      );
    }
    if (m.merge) {
      add(
        'merge',
        input,
        `merge builds nothing (it gathers the images of this run's platform jobs), so ${input} would be ignored.`,
        `Set ${input}: in the platform jobs (push: by-digest) and remove it from the merge job.`,
      );
    }
  }
  for (const mode of ['promote', 'merge'] as const) {
    if (m[mode] && !m.push)
      add(mode, 'push', `${mode} publishes, and push: false would publish nothing.`, 'Use dry-run: true to see what it would do.');
  }
  if (m.byDigest) {
    if (m.merge) {
      add(
        'push',
        'merge',
        'push: by-digest is for the platform jobs, merge for the one job that gathers them.',
        'Use push: by-digest with one platform in each platform job, and merge: in a later job that needs: them.',
      );
    }
    if (m.alsoPushTo) {
      add(
        'push',
        'also-push-to',
        "push: by-digest pushes one platform image for this run's merge job, which publishes the merged image; the other registries get that one.",
        'Set also-push-to: on the merge job (merge:), not on the platform jobs.',
      );
    }
    if (m.promote)
      add(
        'push',
        'promote',
        'push: by-digest builds one platform for a merge; promote builds nothing.',
        'Leave push at true with promote.',
      );
    if (m.platforms.length !== 1) {
      const named = m.platforms.length === 0 ? 'none' : `${m.platforms.length} (${m.platforms.map(quoted).join(', ')})`;
      add(
        'push',
        'platforms',
        `push: by-digest builds exactly one platform for a merge job, and platforms names ${named}.`,
        'Set platforms: to this job\'s one platform, e.g. "linux/arm64" from the matrix, and gather the platforms with merge: in a later job.',
      );
    }
  }
  return found;
}
