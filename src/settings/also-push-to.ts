import { ActionError, safeText } from '../runner/index.js';
import { canonicalRegistry, checkRegistryHost, isDockerHub } from '../registry/index.js';
import { isEnvName, quoted } from './formats.js';
import { checkPath, fullName, suggestPath } from './names.js';

// `also-push-to`: one line per image, `<registry>/<path> user=<login> password-env=<NAME>`.

const INPUT = 'also-push-to';
const KEYS = ['user', 'password-env'];
const PASSWORD_ENV = /(?:^|\s)password-env=(\S+)/g;

/** Another registry the image goes to, with its own login. */
export interface OtherRegistry {
  /** The registry's host as names show it: `docker.io` for Docker Hub. */
  registry: string;
  /** The image path there, lower-cased. */
  path: string;
  /** `registry/path`. */
  imageName: string;
  username: string;
  /** The environment variable the password came from, as messages name it. */
  passwordEnv: string;
  password: string;
}

/** The variables the input names for passwords, read leniently so a malformed line's password is masked too. */
export function passwordEnvNames(raw: string): string[] {
  return [...raw.matchAll(PASSWORD_ENV)].map((m) => m[1]).filter(isEnvName);
}

export interface Parsed {
  registries: OtherRegistry[];
  /** One error per bad line, each naming the line: reported with every other bad input. */
  errors: ActionError[];
}

/**
 * Reads every line; `main` is the step's own image (`registry/path`), which no line may repeat.
 * `passwords` holds the named variables' values (masked already). An unset variable is an error
 * only when the run pushes (`needPasswords`): a fork's pull request has no secrets and pushes nothing.
 */
export function parseAlsoPushTo(raw: string, main: string, passwords: Record<string, string | undefined>, needPasswords: boolean): Parsed {
  const registries: OtherRegistry[] = [];
  const errors: ActionError[] = [];
  for (const line of raw.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    try {
      const other = parseLine(line, passwords, needPasswords);
      if (other.imageName === main) fail(line, `is the step's own image (${main}), which is pushed anyway.`, 'Remove this line.');
      if (registries.some((r) => r.imageName === other.imageName))
        fail(line, `names ${other.imageName} a second time.`, 'Name each image once.');
      registries.push(other);
    } catch (e) {
      if (!(e instanceof ActionError)) throw e;
      errors.push(e);
    }
  }
  return { registries, errors };
}

function parseLine(line: string, passwords: Record<string, string | undefined>, needPasswords: boolean): OtherRegistry {
  const [name, ...pairs] = line.split(/\s+/);
  const keys: Record<string, string> = {};
  for (const pair of pairs) {
    const m = pair.match(/^([^=]+)=(.*)$/);
    if (!m) fail(line, `has ${quoted(pair)}, which is not key=value.`, usage());
    if (!KEYS.includes(m[1])) fail(line, `has the unknown key ${quoted(m[1])}; the keys are ${KEYS.join(' and ')}.`, usage());
    if (m[1] in keys) fail(line, `gives ${m[1]} twice.`, usage());
    keys[m[1]] = m[2];
  }
  const { registry, path } = imageOf(line, name);
  if (!keys['password-env']) {
    fail(
      line,
      'has no password-env=: the password (or access token) is read from an environment variable, never written in the workflow.',
      `Add password-env=NAME and env: NAME: \${{ secrets.NAME }} to the step.`,
    );
  }
  const env = keys['password-env'];
  if (!isEnvName(env))
    fail(
      line,
      `has password-env=${quoted(env)}, which is not an environment variable name.`,
      'Use letters, digits and underscores, e.g. password-env=DOCKERHUB_TOKEN.',
    );
  if (!keys.user) fail(line, `has no user=: ${registry} needs the login that the password belongs to.`, usage());
  const password = (passwords[env] ?? '').trim();
  if (!password && needPasswords) {
    fail(
      line,
      `names the environment variable ${env}, which is not set or empty in this step.`,
      `Add env: ${env}: \${{ secrets.${env} }} to the step, and check that the secret exists (and is available to this workflow).`,
    );
  }
  let imageName: string;
  try {
    imageName = fullName(registry, path, INPUT);
  } catch (e) {
    if (!(e instanceof ActionError)) throw e;
    return fail(line, `is too long: ${e.problem}`, e.fix);
  }
  return { registry, path, imageName, username: keys.user, passwordEnv: env, password };
}

/** `<registry>/<path>`: a host first, a path valid by the OCI rules (lower-cased), no tag; Docker Hub needs a namespace. */
function imageOf(line: string, name: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  const host = slash > 0 ? name.slice(0, slash) : '';
  // As docker reads a name: its first part is a registry when it has a dot or a port, or is localhost.
  if (!host || (!/[.:]/.test(host) && host !== 'localhost')) {
    fail(line, `does not begin with a registry host.`, `Write the full name, e.g. docker.io/${suggestPath(name)} for Docker Hub.`);
  }
  if (/[:@]/.test(name.slice(slash + 1))) {
    fail(
      line,
      "names a tag or digest; the image gets this step's tags and digest.",
      `Write the name alone, e.g. ${safeText(name.replace(/[:@].*$/, ''))}.`,
    );
  }
  let registry: string;
  let path: string;
  try {
    path = checkPath(INPUT, name.slice(slash + 1), 'image name');
    registry = canonicalRegistry(checkRegistryHost(host, `ghcr.io/${path}`));
  } catch (e) {
    if (!(e instanceof ActionError)) throw e;
    return fail(line, `has a name that cannot be used: ${e.problem}`, e.fix);
  }
  if (isDockerHub(registry) && !path.includes('/')) {
    fail(
      line,
      `names a Docker Hub image without a namespace (docker.io/${path} would be an official image, docker.io/library/${path}).`,
      `Write docker.io/<account or organization>/${path}.`,
    );
  }
  return { registry, path };
}

function usage(): string {
  return 'Write one image a line: <registry>/<path> user=<login> password-env=<NAME>, e.g. docker.io/acme/widget user=acme password-env=DOCKERHUB_TOKEN.';
}

function fail(line: string, problem: string, fix: string): never {
  throw new ActionError(`the line ${quoted(line)} ${problem}`, fix, INPUT);
}
