import { core, info } from '../runner/index.js';
import { type Credential, chooseCredential, type Plan } from '../plan/index.js';
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
