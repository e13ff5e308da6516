import type { Credential } from './credentials.js';
import type { GitHubContext } from '../runner/index.js';
import type { Settings } from '../settings/index.js';
import { RegistryError } from '../registry/index.js';

/** A refusal that says nothing about the credential: the registry failed (5xx) or asked to slow down (429, a rate-limit 403). */
export function isRegistryTrouble(error: Error): boolean {
  return error instanceof RegistryError && (error.rateLimited || error.status >= 500);
}

/** Where a classic PAT with only the one scope it needs is made. */
export function tokenUrl(ctx: GitHubContext): string {
  return `${ctx.serverUrl}/settings/tokens/new?scopes=write:packages`;
}

/** What to do about a refusal, for this credential and this run: GitHub's rules, then the registry's words. */
export function adviceFor(error: Error, credential: Credential, settings: Settings, ctx: GitHubContext): string {
  const words = error instanceof RegistryError ? error.registryMessage.toLowerCase() : '';
  const status = error instanceof RegistryError ? error.status : 0;
  const isToken = credential.source === 'github-token';
  const classic = `a classic PAT with only the write:packages scope (${tokenUrl(ctx)}; do not add repo, which grants far more)`;

  if (!(error instanceof RegistryError)) {
    return `the registry could not be reached; check the registry input (${settings.registry}) and the network, then re-run.`;
  }
  if (error.rateLimited) {
    return `${settings.registry} answered HTTP ${status} even after retries and waits: a rate limit, which refuses nothing about the credential. Re-run the job in a few minutes; many publishes at once from one account or repository make it likelier.`;
  }
  if (isRegistryTrouble(error)) {
    return `${settings.registry} answered HTTP ${status} even after retries: the registry is in trouble, not the credential. Re-run the job later.`;
  }
  if (settings.registryType === 'generic') {
    if (status === 401) return `check the login name (${credential.username}) and the secret for ${settings.registry}.`;
    return `give ${credential.username} push rights to ${settings.path} on ${settings.registry}.`;
  }
  if (words.includes('does not match expected scopes')) {
    if (credential.kind === 'fine-grained-pat') return `GitHub Packages does not accept fine-grained PATs: use ${classic}.`;
    if (credential.kind === 'oauth') return `this is an OAuth token without write:packages: use ${classic}.`;
    return `the token lacks the write:packages scope: use ${classic}.`;
  }
  if (words.includes('cannot be authenticated') || status === 401) {
    return `the secret is wrong, expired or revoked, or not authorized for the organization's SAML SSO: check the secret${
      isToken
        ? ' (token should be ${{ github.token }})'
        : `, and on ${ctx.serverUrl}/settings/tokens choose "Configure SSO" → "Authorize" for ${settings.owner}`
    }.`;
  }
  if (words.includes('classic personal access token')) {
    return `the organization ${settings.owner} blocks classic PATs: ask an owner to allow them, or publish with GITHUB_TOKEN from a repository of ${settings.owner}.`;
  }
  if (words.includes('write_package')) {
    return `the package ${settings.path} exists and is not writable by ${isToken ? ctx.repository : credential.username}: in the package's settings on ${ctx.serverUrl}, connect it to ${ctx.repository} (the org.opencontainers.image.source label does this on a first push) and add ${ctx.repository} under "Manage Actions access" with the Write role${
      isToken ? ', or use a PAT' : ''
    }.`;
  }
  if (words.includes('installation not allowed')) {
    if (!isToken) return robotAdvice(settings);
    const reasons = [
      'give the job permission to publish: permissions: packages: write (an explicit permissions block sets every unlisted permission to none; new repositories default to read-only)',
    ];
    if (words.includes('write')) {
      reasons.push(
        `or, if ${settings.path} already exists, add ${ctx.repository} under the package's "Manage Actions access" with the Write role`,
      );
    } else {
      reasons.push(
        `or, if ${settings.owner} restricts package creation, allow members to create packages in its "Packages" settings ("Package creation")`,
      );
    }
    return reasons.join('; ') + '.';
  }
  if (status === 403)
    return isToken
      ? `the job needs permissions: packages: write, and the package must grant ${ctx.repository} Write under "Manage Actions access".`
      : robotAdvice(settings);
  return `the registry refused with HTTP ${status}; re-run, and if it persists check ${settings.registry}'s status.`;
}

function robotAdvice(settings: Settings): string {
  return `the PAT's account must be a member of ${settings.owner} (an outside collaborator cannot publish), ${settings.owner}'s "Package creation" setting must allow members to create packages of this visibility, and the token must be authorized for SSO where ${settings.owner} uses it.`;
}
