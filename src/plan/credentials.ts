import { ActionError, type GitHubContext } from '../runner/index.js';
import type { Settings } from '../settings/index.js';
import { adviceFor, isRegistryTrouble, tokenUrl } from './refusal-advice.js';

/** Which credential pushed, as the `token-source` output says. */
export type TokenSource = 'github-token' | 'pat';

export type TokenKind = 'github-token' | 'classic-pat' | 'fine-grained-pat' | 'oauth' | 'app-user' | 'unknown';

/** GitHub's token kinds by prefix; lengths are never checked, as GitHub may lengthen tokens. */
export function tokenKind(secret: string): TokenKind {
  if (secret.startsWith('ghs_')) return 'github-token';
  if (secret.startsWith('ghp_')) return 'classic-pat';
  if (secret.startsWith('github_pat_')) return 'fine-grained-pat';
  if (secret.startsWith('gho_')) return 'oauth';
  if (secret.startsWith('ghu_')) return 'app-user';
  return 'unknown';
}

export interface Credential {
  source: TokenSource;
  /** How messages name it: `token (GITHUB_TOKEN)` or `the PAT from CR_PAT`. */
  label: string;
  username: string;
  secret: string;
  kind: TokenKind;
}

export function candidates(settings: Settings): { token?: Credential; pat?: Credential } {
  return {
    token: settings.token
      ? {
          source: 'github-token',
          label: 'token (GITHUB_TOKEN)',
          username: settings.username,
          secret: settings.token,
          kind: tokenKind(settings.token),
        }
      : undefined,
    pat: settings.pat
      ? {
          source: 'pat',
          label: settings.patSource === 'pat' ? 'the PAT in pat' : `the PAT from ${settings.patSource}`,
          username: settings.patUsername,
          secret: settings.pat,
          kind: tokenKind(settings.pat),
        }
      : undefined,
  };
}

/**
 * Why GitHub's rules already say GITHUB_TOKEN cannot push here, or undefined when only the push
 * check can tell. GitHub's rules apply to the ghcr and docker-pkg registry types only.
 */
export function tokenCannotPush(settings: Settings, ctx: GitHubContext): string | undefined {
  if (settings.registryType === 'generic') return undefined;
  const [repoOwner, repoName] = ctx.repository.toLowerCase().split('/');
  if (ctx.readOnlyToken) {
    return `this run's GITHUB_TOKEN is read-only by design (${ctx.actor === 'dependabot[bot]' ? 'a Dependabot run' : 'a pull request from a fork'})`;
  }
  if (settings.owner !== repoOwner) {
    return `GITHUB_TOKEN cannot push to another owner's namespace (${settings.owner}; this workflow's repository belongs to ${repoOwner})`;
  }
  if (settings.registryType === 'docker-pkg' && !settings.path.startsWith(`${repoOwner}/${repoName}/`)) {
    return `GITHUB_TOKEN publishes to the legacy Docker registry only under this workflow's repository (${repoOwner}/${repoName}/)`;
  }
  return undefined;
}

interface Attempt {
  credential: Credential;
  error: Error;
}

/** The credentials to try, in the order of the rules, and why; or why the push is skipped. */
export type CredentialOrder =
  { order: Credential[]; ruledOut?: string; skipped?: undefined } | { order: []; ruledOut: string; skipped: string };

/**
 * The order of the rules: the PAT where a rule already rules GITHUB_TOKEN out; otherwise
 * GITHUB_TOKEN, then the PAT. A read-only run without a PAT skips the push; any other run that no
 * credential could push from fails here, before anything runs.
 */
export function credentialOrder(settings: Settings, ctx: GitHubContext): CredentialOrder {
  const { token, pat } = candidates(settings);
  const ruledOut = tokenCannotPush(settings, ctx);
  if (ruledOut && !pat) {
    if (ctx.readOnlyToken) return { order: [], ruledOut, skipped: `Not pushed: ${ruledOut}, and no PAT was given.` };
    const env = settings.tokenSecretName;
    throw new ActionError(
      `No credential may push ${settings.imageName}: ${ruledOut}, and no PAT was given.`,
      `Store a classic PAT with the write:packages scope (${tokenUrl(ctx)}) of an account that may publish to ${settings.owner} as a secret, and pass it as env: ${env}: \${{ secrets.${env} }} or as pat:.`,
    );
  }
  return { order: [ruledOut ? undefined : token, pat].filter((c): c is Credential => c !== undefined), ruledOut };
}

export type Choice = { credential: Credential; skipped?: undefined } | { credential?: undefined; skipped: string };

/** The first credential of the order that `check` proves may push; a failure names every credential tried. */
export async function chooseCredential(
  settings: Settings,
  ctx: GitHubContext,
  check: (credential: Credential) => Promise<void>,
  warn: (message: string) => void,
  plan: CredentialOrder = credentialOrder(settings, ctx),
): Promise<Choice> {
  const { pat } = candidates(settings);
  if (pat?.kind === 'fine-grained-pat' && settings.registryType !== 'generic') {
    warn(
      `${pat.label} is a fine-grained personal access token; GitHub Packages accepts only classic PATs (ghp_…) with write:packages, so it will probably be refused.`,
    );
  }
  if (plan.skipped !== undefined) return { skipped: plan.skipped };
  const attempts: Attempt[] = [];
  for (const credential of plan.order) {
    try {
      await check(credential);
      return { credential };
    } catch (e) {
      attempts.push({ credential, error: e as Error });
    }
  }
  const { ruledOut } = plan;
  const trouble = attempts.every((a) => isRegistryTrouble(a.error) || !('status' in a.error));
  const headline = trouble
    ? `Could not check that a credential may push to ${settings.imageName}: the registry did not answer properly.`
    : `No credential may push to ${settings.imageName}.`;
  throw new ActionError(
    `${headline}${ruledOut ? ` ${capitalise(ruledOut)}.` : ''}\n${attempts
      .map(
        (a) =>
          `- ${a.credential.label} (as ${a.credential.username}): ${a.error.message}\n  Fix: ${adviceFor(a.error, a.credential, settings, ctx)}`,
      )
      .join('\n')}`,
    '',
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
