import path from 'node:path';
import { ActionError, InputErrors, type GitHubContext } from '../runner/index.js';
import {
  parseAge,
  parseBoolean,
  parseChoice,
  parseKeyValues,
  parseList,
  parsePlatforms,
  parsePromote,
  parsePush,
  parseSecrets,
} from './formats.js';
import { ACTION_DEFAULTS, INPUT_NAMES, type InputName, type RawInputs, readInputs } from './inputs.js';
import { fullName, checkPath } from './names.js';
import { parseTags } from './tags.js';
import { REGISTRY_TYPES, type RegistryType, checkRegistryHost, defaultRegistry, detectType, imagePath } from '../registry/index.js';
import * as rules from './settings-rules.js';
import { collector } from './collect.js';
import type { TagSource } from './derive-tags.js';
import { checkTags, readTagRules } from './tag-inputs.js';
import { type OtherRegistry, parseAlsoPushTo } from './also-push-to.js';

export interface BuildSecret {
  id: string;
  value: string;
}

/** What `promote` publishes, on this step's registry. */
export type PromoteSource =
  | { kind: 'commit' } // the sha-<7 hex> tag of this image
  | { kind: 'tag'; tag: string } // a tag of this image
  | { kind: 'digest'; digest: string } // sha256:<64 hex> of this image
  | { kind: 'reference'; path: string; reference: string }; // another image: path lower-cased; a tag or digest, 'latest' when none

/** Every input, read, defaulted, normalised and validated once. Nothing else reads inputs. */
export interface Settings {
  registry: string;
  registryType: RegistryType;
  owner: string;
  /** `owner/name` as given, for the link to the repository. */
  repository: string;
  /** The image path inside the registry, lower-cased. */
  path: string;
  /** `registry/path`. */
  imageName: string;
  tags: string[];
  /** `imageName:tag` for every tag. */
  references: string[];
  /** The tags that hold a whole version (`1.2.3`, `v1.2.3`, `1.2.3-alpine`): `immutable-tags` guards these. */
  wholeVersionTags: string[];
  /** Which input or part of the ref gave which tags, and why. */
  tagSources: TagSource[];
  /** `1.2.3` for a version tag ref, else the first derived tag without prefix and suffix (`version` output). */
  version: string;
  tagPrefix: string;
  tagSuffix: string;
  token: string;
  username: string;
  pat: string;
  /** Where the PAT came from, for messages: `pat` or the environment variable's name. */
  patSource: string;
  /** The environment variable that holds the fallback PAT (`token-secret-name`). */
  tokenSecretName: string;
  patUsername: string;
  context: string;
  file: string;
  buildArgs: string[];
  target: string;
  platforms: string[];
  secrets: BuildSecret[];
  cache: boolean;
  provenance: boolean;
  labels: Record<string, string>;
  /** Free text, kept as given (it may hold newlines): print it only through safeText. */
  description: string;
  licenses: string;
  /** True for `true` and `by-digest`. */
  push: boolean;
  /** `push: by-digest`: the one platform, pushed without release tags, for a merge job. */
  byDigest: boolean;
  logout: boolean;
  promote?: PromoteSource;
  reproducible: boolean;
  immutableTags: boolean;
  dryRun: boolean;
  /** Platforms of `merge`, in the order given; [] when empty. */
  merge: string[];
  /** `prune-untagged` in milliseconds; undefined when empty; 0 = any age. */
  pruneUntagged?: number;
  /** The other registries of `also-push-to`, in the order given. */
  alsoPushTo: OtherRegistry[];
  /** Inputs whose value differs from action.yml's default, for messages and conflict checks. */
  changed: string[];
}

const BOOLEANS: InputName[] = ['cache', 'provenance', 'logout', 'reproducible', 'immutable-tags', 'dry-run'];
const CONTEXT_VALUES: Record<string, (ctx: GitHubContext) => string> = {
  'github.repository_owner': (ctx) => ctx.repositoryOwner,
  'github.repository': (ctx) => ctx.repository,
  'github.actor': (ctx) => ctx.actor,
};

/** Reads the step's inputs and validates them; every problem at once, as one InputErrors, before anything runs. */
export function readSettings(ctx: GitHubContext, env: NodeJS.ProcessEnv = process.env): Settings {
  const { inputs, envPat, passwords } = readInputs(env);
  return settingsFrom(inputs, ctx, envPat, passwords);
}

/** action.yml's default of `name` for this run: a `${{ github.* }}` default from the context; undefined when it cannot say (`token`). */
export function defaultFor(name: InputName, ctx: GitHubContext): string | undefined {
  const value: string = ACTION_DEFAULTS[name];
  const expression = value.match(/^\$\{\{\s*([\w.]+)\s*\}\}$/);
  return expression ? CONTEXT_VALUES[expression[1]]?.(ctx) : value;
}

/** Validates raw inputs (as readInputs returns them) into Settings. Only `context` and `file` look at the disk. */
export function settingsFrom(raw: RawInputs, ctx: GitHubContext, envPat = '', passwords: Record<string, string> = {}): Settings {
  const errors: ActionError[] = [];
  const attempt = collector(errors);
  const value = (name: InputName): string => raw[name] || (defaultFor(name, ctx) ?? '');
  const bool = (name: InputName): boolean =>
    attempt(() => parseBoolean(name, raw[name], ACTION_DEFAULTS[name]), parseBoolean(name, '', ACTION_DEFAULTS[name]));

  const tokenSecretName = value('token-secret-name');
  attempt(() => rules.checkTokenSecretName(tokenSecretName), '');
  const { token, pat: explicitPat } = raw;
  const pat = explicitPat || envPat;

  const typeInput = attempt(() => parseChoice('registry-type', value('registry-type'), REGISTRY_TYPES), 'auto');
  const owner = attempt(() => rules.checkOwner(value('owner')), '');
  const repository = attempt(() => rules.checkRepository(value('repository')), 'x/x');
  const repoName = repository.split('/')[1];
  const image = attempt(() => rules.checkImage(raw.image, repoName), '');
  const registry = attempt(() => checkRegistryHost(value('registry') || defaultRegistry(ctx.serverUrl), `ghcr.io/${owner}/${image}`), '');
  const type: RegistryType = typeInput === 'auto' ? detectType(registry, ctx.serverUrl) : typeInput;
  const repoPath =
    type === 'docker-pkg' ? attempt(() => checkPath('repository', repoName, 'repository name for the docker-pkg path'), '') : repoName;
  const imgPath = imagePath(type, owner, repoPath, image);
  const imageName = registry && owner && image ? attempt(() => fullName(registry, imgPath, 'image'), '') : '';
  const tagRules = readTagRules(raw, errors);
  const extraTags = attempt(() => parseTags(raw['extra-tags'], 'extra-tags'), []);
  const run = { ref: ctx.ref, sha: ctx.sha, eventName: ctx.eventName, defaultBranch: ctx.defaultBranch };
  const runTags = attempt(() => checkTags(raw, extraTags, run, tagRules), { tags: [], whole: [], version: '', sources: [] });
  const { tags } = runTags;

  const { push, byDigest } = attempt(() => parsePush(value('push')), { push: true, byDigest: false });
  const username = value('username');
  if (push && !token && !pat) {
    errors.push(
      new ActionError(
        'no credential to push with: both token and the PAT are empty.',
        `Pass token: \${{ github.token }} (the default) or a PAT in pat: or the ${tokenSecretName} environment variable.`,
        'token',
      ),
    );
  }
  if (token && !username)
    errors.push(new ActionError('is empty, so there is no login name for token.', 'Set username: ${{ github.actor }}.', 'username'));

  const promoteInput = attempt(() => parsePromote(raw.promote), undefined);
  const promote = promoteInput && registry ? attempt(() => rules.checkPromote(promoteInput, registry, ctx.sha), undefined) : undefined;
  const merge = attempt(() => parsePlatforms('merge', raw.merge, 'refuse'), []);
  const pruneUntagged = attempt(() => parseAge(raw['prune-untagged']), undefined);
  if (raw['prune-untagged'] !== '' && registry) attempt(() => rules.checkPruneRegistry(type, registry), undefined);

  // A promote or merge builds nothing, so it needs no checkout: the context is not looked at.
  const builds = raw.promote === '' && raw.merge === '';
  const context = value('context');
  const contextOk = builds && attempt(() => rules.checkContext(context) !== '', false);
  // No second error about the Dockerfile of a context that is not there.
  const file = contextOk ? attempt(() => rules.checkFile(raw.file, context), '') : raw.file || path.join(context, 'Dockerfile');

  // A read-only run (a fork's pull request) has no secrets, and pushes nothing.
  const others = parseAlsoPushTo(raw['also-push-to'], imageName, passwords, push && !ctx.readOnlyToken);
  errors.push(...others.errors);

  const changed = changedInputs(raw, ctx);
  errors.push(
    ...rules.conflicts({
      push,
      byDigest,
      promote: raw.promote !== '',
      merge: raw.merge !== '',
      platforms: [...new Set(parseList(raw.platforms))],
      alsoPushTo: raw['also-push-to'] !== '',
      changed,
    }),
  );

  const settings: Settings = {
    registry,
    registryType: type,
    owner,
    repository,
    path: imgPath,
    imageName,
    tags,
    references: tags.map((t) => `${imageName}:${t}`),
    wholeVersionTags: runTags.whole,
    tagSources: runTags.sources,
    version: runTags.version,
    tagPrefix: tagRules.prefix,
    tagSuffix: tagRules.suffix,
    token,
    username,
    pat,
    patSource: explicitPat ? 'pat' : tokenSecretName,
    tokenSecretName,
    patUsername: raw['pat-username'] || username,
    context,
    file,
    buildArgs: attempt(() => parseKeyValues('build-args', raw['build-args']).map(([k, v]) => `${k}=${v}`), []),
    target: attempt(() => rules.checkTarget(raw.target), ''),
    platforms: attempt(() => parsePlatforms('platforms', raw.platforms, 'drop'), []),
    secrets: attempt(() => parseSecrets(raw.secrets), []),
    cache: bool('cache'),
    provenance: bool('provenance'),
    labels: Object.fromEntries(attempt(() => parseKeyValues('labels', raw.labels), [])),
    description: attempt(() => rules.checkLength('description', raw.description, 512), ''),
    licenses: attempt(() => rules.checkLength('licenses', raw.licenses, 256), ''),
    push,
    byDigest,
    logout: bool('logout'),
    promote,
    reproducible: bool('reproducible'),
    immutableTags: bool('immutable-tags'),
    dryRun: bool('dry-run'),
    merge,
    pruneUntagged,
    alsoPushTo: others.registries,
    changed,
  };
  if (errors.length > 0) throw new InputErrors(errors);
  return settings;
}

/**
 * Inputs given a value other than action.yml's default, read as the action reads them:
 * `cache: TRUE`, `context: ./` or `file: ./Dockerfile` are the defaults. A default the context
 * cannot know (`${{ github.token }}`) never counts as changed.
 */
export function changedInputs(raw: RawInputs, ctx: GitHubContext): string[] {
  return INPUT_NAMES.filter((name) => raw[name] !== '' && !isDefault(name, raw, ctx));
}

function isDefault(name: InputName, raw: RawInputs, ctx: GitHubContext): boolean {
  const given = raw[name];
  const fallback = defaultFor(name, ctx);
  if (fallback === undefined) return true;
  if (BOOLEANS.includes(name)) return sameBoolean(name, given, fallback);
  switch (name) {
    case 'context':
      return path.resolve(given) === path.resolve(fallback);
    case 'file':
      return path.resolve(given) === path.resolve(raw.context || ACTION_DEFAULTS.context, 'Dockerfile');
    case 'version-tags':
      return parseList(given).join(',') === fallback;
    case 'registry-type':
    case 'latest':
    case 'push':
    case 'owner':
      return given.toLowerCase() === fallback.toLowerCase();
    default:
      return given === fallback;
  }
}

function sameBoolean(name: InputName, given: string, fallback: string): boolean {
  try {
    return parseBoolean(name, given, fallback) === parseBoolean(name, fallback, fallback);
  } catch {
    return false;
  }
}
