import * as core from '@actions/core';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ActionError, InputErrors } from './errors.js';
import type { GitHubContext } from './github-context.js';
import { checkPath, fullName, suggestPath } from './names.js';
import {
  REGISTRY_TYPES,
  type RegistryType,
  checkRegistryHost,
  defaultRegistry,
  detectType,
  imagePath,
} from './registry-rules.js';
import { deriveTags, parseTags } from './tags.js';

export interface BuildSecret {
  id: string;
  value: string;
}

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
  description: string;
  licenses: string;
  push: boolean;
  logout: boolean;
}

const KEY_VALUE = /^([^=\s]+)=(.*)$/;
const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_.]+)?$/;
const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads the step's inputs. Secrets are masked before anything else; every problem is collected
 * so the user sees all of them, and an InputErrors is thrown before anything runs.
 */
export function readSettings(ctx: GitHubContext, env: NodeJS.ProcessEnv = process.env): Settings {
  const errors: ActionError[] = [];
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ActionError) errors.push(e);
      else throw e;
      return fallback;
    }
  };

  const token = core.getInput('token');
  const tokenSecretName = core.getInput('token-secret-name') || 'CR_PAT';
  const explicitPat = core.getInput('pat');
  const pat = explicitPat || (ENV_NAME.test(tokenSecretName) ? (env[tokenSecretName] ?? '').trim() : '');
  const secrets = attempt(() => parseSecrets(core.getInput('secrets')), []);
  // A value of several lines is masked line by line too, as the runner matches masks per line.
  const masks = [token, pat, ...secrets.flatMap((s) => [s.value, ...(s.value.includes('\n') ? s.value.split('\n') : [])])];
  for (const secret of masks) if (secret.trim()) core.setSecret(secret);

  if (!ENV_NAME.test(tokenSecretName)) {
    errors.push(
      new ActionError(
        `"${tokenSecretName}" is not an environment variable name.`,
        'Use letters, digits and underscores, e.g. "CR_PAT".',
        'token-secret-name',
      ),
    );
  }

  const registryType = attempt(() => oneOf('registry-type', REGISTRY_TYPES, 'auto'), 'auto');
  const owner = attempt(() => checkOwner(core.getInput('owner') || ctx.repositoryOwner), '');
  const repository = attempt(() => checkRepository(core.getInput('repository') || ctx.repository), 'x/x');
  const repoName = repository.split('/')[1];
  const image = attempt(() => {
    const given = core.getInput('image');
    if (given) return checkPath('image', given, 'image name');
    try {
      return checkPath('image', repoName, 'image name');
    } catch {
      return fail('image', `the repository's name "${repoName}", the default image name, is not a valid image name.`, `Set image: explicitly, e.g. "${suggestPath(repoName)}".`);
    }
  }, '');

  const ghcrSuggestion = `ghcr.io/${owner}/${image}`;
  const registry = attempt(
    () => checkRegistryHost(core.getInput('registry') || defaultRegistry(ctx.serverUrl), ghcrSuggestion),
    '',
  );
  const type: RegistryType = registryType === 'auto' ? detectType(registry, ctx.serverUrl) : registryType;
  const repoPath = attempt(
    () => (type === 'docker-pkg' ? checkPath('repository', repoName, 'repository name for the docker-pkg path') : repoName),
    '',
  );
  const imgPath = imagePath(type, owner, repoPath, image);
  const imageName = registry && owner && image ? attempt(() => fullName(registry, imgPath, 'image'), '') : '';

  const tags = attempt(() => {
    const given = parseTags(core.getInput('tags'));
    if (given.length > 0) return given;
    const derived = deriveTags(ctx.ref, ctx.sha);
    if (derived.length === 0) {
      fail('tags', `no tags were given and none can be derived from the git ref "${ctx.ref}".`, 'Set tags: e.g. "latest".');
    }
    return derived;
  }, []);

  const push = attempt(() => bool('push'), true);
  const username = core.getInput('username') || ctx.actor;
  if (push && !token && !pat) {
    errors.push(
      new ActionError(
        'no credential to push with: both token and the PAT are empty.',
        `Pass token: \${{ github.token }} (the default) or a PAT in pat: or the ${tokenSecretName} environment variable.`,
        'token',
      ),
    );
  }
  if (token && !username) {
    errors.push(new ActionError('is empty, so there is no login name for token.', 'Set username: ${{ github.actor }}.', 'username'));
  }

  const context = attempt(() => checkContext(core.getInput('context') || '.'), '.');
  const file = attempt(() => checkFile(core.getInput('file'), context), '');

  const description = attempt(() => maxLength('description', 512), '');
  const licenses = attempt(() => maxLength('licenses', 256), '');
  const target = core.getInput('target');
  if (target && !TARGET.test(target)) {
    errors.push(new ActionError(`"${target}" is not a build stage name.`, 'Use the name after AS in a FROM line, e.g. "runtime".', 'target'));
  }

  const settings: Settings = {
    registry,
    registryType: type,
    owner,
    repository,
    path: imgPath,
    imageName,
    tags,
    references: tags.map((t) => `${imageName}:${t}`),
    token,
    username,
    pat,
    patSource: explicitPat ? 'pat' : tokenSecretName,
    tokenSecretName,
    patUsername: core.getInput('pat-username') || username,
    context,
    file,
    buildArgs: attempt(() => keyValues('build-args').map(([k, v]) => `${k}=${v}`), []),
    target,
    platforms: attempt(checkPlatforms, []),
    secrets,
    cache: attempt(() => bool('cache'), true),
    provenance: attempt(() => bool('provenance'), false),
    labels: Object.fromEntries(attempt(() => keyValues('labels'), [])),
    description,
    licenses,
    push,
    logout: attempt(() => bool('logout'), true),
  };
  if (errors.length > 0) throw new InputErrors(errors);
  return settings;
}

function fail(input: string, problem: string, fix: string): never {
  throw new ActionError(problem, fix, input);
}

function oneOf<T extends string>(input: string, allowed: readonly T[], fallback: T): T {
  const value = (core.getInput(input) || fallback).toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) {
    fail(input, `"${value}" is not one of ${allowed.join(', ')}.`, `Use for example "${fallback}".`);
  }
  return value as T;
}

function bool(input: string): boolean {
  if (core.getInput(input) === '') return input !== 'provenance';
  try {
    return core.getBooleanInput(input);
  } catch {
    return fail(input, `"${core.getInput(input)}" is not a boolean.`, 'Use true or false.');
  }
}

function checkOwner(value: string): string {
  if (value.includes('/')) fail('owner', `"${value}" has a "/": an owner is one account or organization.`, 'Use for example "acme".');
  return checkPath('owner', value, 'owner name');
}

function checkRepository(value: string): string {
  if (!/^[^/\s]+\/[^/\s]+$/.test(value)) {
    fail('repository', `"${value}" is not an owner/name repository.`, 'Use for example "acme/widget" (the default is ${{ github.repository }}).');
  }
  return value;
}

function checkContext(context: string): string {
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    fail('context', `the build context "${context}" is not a directory (working directory: ${process.cwd()}).`, 'Check out the repository first (actions/checkout) or point context at the folder to build.');
  }
  return context;
}

function checkFile(given: string, context: string): string {
  const file = given || path.join(context, 'Dockerfile');
  if (!existsSync(file) || !statSync(file).isFile()) {
    fail(given ? 'file' : 'context', `there is no Dockerfile at "${file}".`, given ? 'Give the path of an existing Dockerfile.' : 'Add a Dockerfile to the context, or set file: to its path.');
  }
  return file;
}

function maxLength(input: string, max: number): string {
  const value = core.getInput(input);
  if (value.length > max) fail(input, `is ${value.length} characters long; GitHub shows at most ${max}.`, `Shorten it to ${max} characters.`);
  return value;
}

function lines(raw: string): string[] {
  return raw
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function keyValues(input: string): [string, string][] {
  return lines(core.getInput(input)).map((line) => {
    const m = line.match(KEY_VALUE);
    if (!m) fail(input, `"${line}" is not a KEY=VALUE line.`, 'Write one KEY=VALUE per line, e.g. "VERSION=1.2.3".');
    return [m[1], m[2]];
  });
}

function checkPlatforms(): string[] {
  const platforms = [...new Set(core.getInput('platforms').split(/[,\n]/).map((p) => p.trim()).filter((p) => p !== ''))];
  for (const p of platforms) {
    if (!PLATFORM.test(p)) fail('platforms', `"${p}" is not a platform.`, 'Use os/arch[/variant], e.g. "linux/amd64,linux/arm64".');
  }
  return platforms;
}

/**
 * `id=value` lines, or `id<<DELIMITER`, the value's lines, then `DELIMITER` for a multi-line value
 * such as a key (the form GitHub's own file commands use). A secret is never quoted back.
 */
function parseSecrets(raw: string): BuildSecret[] {
  const usage = 'Write one id=value per line, e.g. "npm_token=${{ secrets.NPM_TOKEN }}", or for a value of several lines id<<EOF, the value, then EOF.';
  const rows = raw.split('\n');
  const secrets: BuildSecret[] = [];
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i].trim();
    if (line === '') continue;
    const heredoc = line.match(/^([A-Za-z0-9_.-]+)<<(\S+)$/);
    if (heredoc) {
      const end = rows.findIndex((row, j) => j > i && row.trim() === heredoc[2]);
      if (end < 0) fail('secrets', `the value of "${heredoc[1]}" has no closing ${heredoc[2]} line.`, usage);
      secrets.push({ id: heredoc[1], value: rows.slice(i + 1, end).join('\n') });
      i = end;
      continue;
    }
    const m = line.match(/^([^=]+)=(.*)$/);
    const id = m?.[1].trim() ?? '';
    if (!m || !SECRET_ID.test(id) || m[2] === '') {
      fail('secrets', `a line is not id=value (an id of letters, digits, '_', '.' or '-', then a non-empty value).`, usage);
    }
    secrets.push({ id, value: m[2] });
  }
  return secrets;
}
