import { type RetryPolicy, requestWithRetry } from './http-retry.js';
import { RegistryError, registryError } from './registry-error.js';

/** What the registry's Basic auth and token service need of a credential. */
export interface Login {
  username: string;
  secret: string;
}

/** `repository:<name>:<actions>`, e.g. `repository:acme/web:pull,push`. */
export const scope = (repository: string, actions: 'pull' | 'pull,push'): string => `repository:${repository}:${actions}`;

export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = header.match(/^\s*(\w+)\s*(.*)$/);
  if (!m) return { scheme: '', params: {} };
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

interface Token {
  /** repository name → actions granted to this token as asked. */
  access: Map<string, Set<string>>;
  header: string;
}

/**
 * The `Authorization` a registry wants: Basic with the credential, or a Bearer token asked of its
 * token service for a SET of scopes (a cross-repository mount needs push on one repository and
 * pull on another in one token). Tokens are kept per scope set; a push token also serves pulls.
 */
export class RegistryAuth {
  private challenge?: ReturnType<typeof parseChallenge>;
  private tokens: Token[] = [];
  /** Answers being asked for, so requests made at once share one token. */
  private readonly asking = new Map<string, Promise<Record<string, string>>>();

  constructor(
    private readonly credential: Login | undefined,
    private readonly retry: RetryPolicy,
  ) {}

  /** The header for `scopes` without asking the registry first: a kept token, Basic, or nothing yet. */
  async header(scopes: string[]): Promise<Record<string, string>> {
    const kept = this.tokens.find((t) => covers(t, scopes));
    if (kept) return { Authorization: kept.header };
    if (!this.challenge) return {};
    return this.answer(scopes);
  }

  /**
   * After a 401 to `refused` (the header sent, if any): forget it and answer the registry's
   * challenge afresh, or take a token a request made at the same time has just got. Undefined
   * when there is nothing better to send (no credential for Basic, no challenge).
   */
  async renew(scopes: string[], challenge: string | null, refused?: string): Promise<Record<string, string> | undefined> {
    const parsed = parseChallenge(challenge ?? '');
    if (parsed.scheme) this.challenge = parsed;
    this.tokens = this.tokens.filter((t) => t.header !== refused);
    const header = await this.header(scopes);
    return header.Authorization && header.Authorization !== refused ? header : undefined;
  }

  private answer(scopes: string[]): Promise<Record<string, string>> {
    const key = scopes.join(' ');
    let answer = this.asking.get(key);
    if (!answer) {
      answer = this.ask(scopes).finally(() => this.asking.delete(key));
      this.asking.set(key, answer);
    }
    return answer;
  }

  private async ask(scopes: string[]): Promise<Record<string, string>> {
    const { scheme, params } = this.challenge ?? { scheme: '', params: {} };
    const basic = this.credential
      ? `Basic ${Buffer.from(`${this.credential.username}:${this.credential.secret}`).toString('base64')}`
      : undefined;
    if (scheme === 'basic') return basic ? { Authorization: basic } : {};
    if (scheme !== 'bearer' || !params.realm) return {};
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const what = `getting a token for ${scopes.map((s) => s.replace(/^repository:/, '')).join(' and ')}`;
    const res = await requestWithRetry(url.toString(), { headers: basic ? { Authorization: basic } : {} }, this.retry);
    if (res.status !== 200) throw await registryError(res, what);
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(res.status, 'the token service answered without a token', what);
    const header = `Bearer ${token}`;
    this.tokens.push({ access: accessOf(scopes), header });
    return { Authorization: header };
  }
}

function accessOf(scopes: string[]): Map<string, Set<string>> {
  const access = new Map<string, Set<string>>();
  for (const s of scopes) {
    const [, name, actions] = s.match(/^repository:(.+):([^:]+)$/) ?? [];
    if (!name) continue;
    const set = access.get(name) ?? new Set<string>();
    for (const a of actions.split(',')) set.add(a);
    access.set(name, set);
  }
  return access;
}

function covers(token: Token, scopes: string[]): boolean {
  for (const [name, actions] of accessOf(scopes)) {
    const granted = token.access.get(name);
    if (!granted || [...actions].some((a) => !granted.has(a))) return false;
  }
  return true;
}
