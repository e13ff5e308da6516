import { passwordEnvNames } from './also-push-to.js';
import { isEnvName, secretValues } from './formats.js';
import { core } from '../runner/index.js';

/**
 * Every input and its default, exactly as action.yml declares them, in its order (a unit test
 * compares the two). The one source of defaults: no code picks a default by an input's name.
 */
export const ACTION_DEFAULTS = {
  registry: '',
  'registry-type': 'auto',
  owner: '${{ github.repository_owner }}',
  repository: '${{ github.repository }}',
  image: '',
  tags: '',
  token: '${{ github.token }}',
  username: '${{ github.actor }}',
  pat: '',
  'token-secret-name': 'CR_PAT',
  'pat-username': '',
  context: '.',
  file: '',
  'build-args': '',
  target: '',
  platforms: '',
  secrets: '',
  cache: 'true',
  provenance: 'false',
  labels: '',
  description: '',
  licenses: '',
  push: 'true',
  logout: 'true',
  promote: '',
  reproducible: 'true',
  'immutable-tags': 'true',
  'dry-run': 'false',
  merge: '',
  'prune-untagged': '',
  latest: 'auto',
  'version-tags': '{{version}},{{major}}.{{minor}},{{major}}',
  'tag-prefix': '',
  'tag-suffix': '',
  'extra-tags': '',
  'also-push-to': '',
} as const;

export type InputName = keyof typeof ACTION_DEFAULTS;
export const INPUT_NAMES = Object.keys(ACTION_DEFAULTS) as InputName[];

/** Each input as the runner handed it over: trimmed at both ends, '' when not given. Nothing parsed. */
export type RawInputs = Record<InputName, string>;

export interface ReadInputs {
  inputs: RawInputs;
  /** The fallback PAT from the environment variable `token-secret-name` names; '' when none. */
  envPat: string;
  /** The values of the variables `also-push-to` names with password-env=, by name. */
  passwords: Record<string, string>;
}

/**
 * Reads every input of the action; nothing else calls core.getInput. The token, the PATs, build
 * secrets and other registries' passwords are masked before anything else is read, so no later
 * message can show them.
 */
export function readInputs(env: NodeJS.ProcessEnv = process.env): ReadInputs {
  const token = core.getInput('token');
  const pat = core.getInput('pat');
  const secrets = core.getInput('secrets');
  const secretName = core.getInput('token-secret-name') || ACTION_DEFAULTS['token-secret-name'];
  const envPat = isEnvName(secretName) ? (env[secretName] ?? '').trim() : '';
  const passwords = Object.fromEntries(passwordEnvNames(core.getInput('also-push-to')).map((name) => [name, env[name] ?? '']));
  for (const value of [token, pat, envPat, ...secretValues(secrets), ...Object.values(passwords)]) mask(value);

  const inputs = Object.fromEntries(INPUT_NAMES.map((name) => [name, core.getInput(name)])) as RawInputs;
  return { inputs, envPat, passwords };
}

/** A value of several lines is masked line by line too, as the runner matches masks per line. */
function mask(value: string): void {
  if (!value.trim()) return;
  core.setSecret(value);
  if (!value.includes('\n')) return;
  for (const line of value.split('\n')) if (line.trim()) core.setSecret(line.trim());
}
