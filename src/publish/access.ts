import { core, info, ActionError } from '../runner/index.js';
import { type Credential, chooseCredential, isRegistryTrouble, type Plan } from '../plan/index.js';
import { isDockerHub, RegistryError } from '../registry/index.js';
import type { OtherRegistry } from '../settings/index.js';
import { type Destination, otherDestination } from './destination.js';
import type { RunDeps } from './run-deps.js';

export interface Access {
  /** The credential that pushes (or, without a push, logs in for the build). */
  credential?: Credential;
  skipReason?: string;
}

/** Proves a credential may push (unless nothing is pushed), and logs it in when the run needs the engine's login. */
export async function access(plan: Plan, deps: RunDeps, login: boolean): Promise<Access> {
  const { order, skipped } = plan.credentials;
  let credential: Credential | undefined = order[0];
  if (skipped !== undefined) {
    core.notice(
      `${skipped} ${plan.mode === 'build' ? 'The image is built only.' : `Nothing is ${plan.mode === 'merge' ? 'merged' : 'promoted'}.`}`,
    );
  } else if (plan.push !== 'none') {
    const check = async (c: Credential) => {
      await deps.registry(c).checkPush(plan.path);
      info(`${c.label} (as ${c.username}) may push to ${plan.imageName}.`);
    };
    const choice = await core.group('Check that a credential may push', () =>
      chooseCredential(plan.settings, deps.ctx, check, core.warning, plan.credentials),
    );
    credential = choice.credential;
  }
  if (login) await logIn(plan, deps, credential);
  return { credential, skipReason: skipped };
}

/** `docker login` into the run's private configuration, the secret on stdin. */
export async function logIn(plan: Plan, deps: RunDeps, credential: Credential | undefined): Promise<void> {
  if (!credential) return;
  const { username, secret } = credential;
  await deps.docker.login(plan.registry, username, secret);
  deps.state.loggedIn();
  info(`Logged in to ${plan.registry} as ${username}, in this run's private DOCKER_CONFIG, which the post step deletes.`);
}

/**
 * Proves that each other registry's login may push to its image, all at once, before anything is
 * built; every refusal is named in one error. The engine never pushes there: no docker login.
 */
export async function otherDestinations(plan: Plan, deps: RunDeps): Promise<Destination[]> {
  if (plan.others.length === 0) return [];
  const destinations = plan.others.map((o) => otherDestination(o, deps));
  const refused: string[] = [];
  await core.group('Check that each other registry may be pushed to', () =>
    Promise.all(
      destinations.map(async (d, i) => {
        try {
          await d.client.checkPush(d.path);
          info(`${d.pusher} may push to ${d.imageName}.`);
        } catch (e) {
          refused.push(`- ${d.imageName} as ${d.pusher}: ${(e as Error).message}\n  Fix: ${otherAdvice(e as Error, plan.others[i])}`);
        }
      }),
    ),
  );
  if (refused.length > 0) {
    throw new ActionError(
      `${refused.length === 1 ? 'An other registry refuses' : 'Other registries refuse'} the push check; nothing was built or pushed:\n${refused.join('\n')}`,
      '',
      'also-push-to',
    );
  }
  return destinations;
}

/** What to do when an `also-push-to` login may not push: the registry's trouble, or the login's. */
function otherAdvice(error: Error, other: OtherRegistry): string {
  if (!(error instanceof RegistryError)) return `${other.registry} could not be reached; check the name and re-run.`;
  if (isRegistryTrouble(error)) return `${other.registry} answered HTTP ${error.status} even after retries; re-run the job later.`;
  const hub = isDockerHub(other.registry);
  if (error.status === 401) {
    return `check the login ${other.username} and the secret in ${other.passwordEnv}${
      hub
        ? ' (a Docker Hub access token with Read & Write scope, made under Account settings → Personal access tokens, or an organization access token)'
        : ''
    }.`;
  }
  return hub
    ? `give ${other.username} write access to ${other.path} on Docker Hub (create the repository first if the account may not create one, and use a token with Read & Write scope).`
    : `give ${other.username} push rights to ${other.path} on ${other.registry}.`;
}
