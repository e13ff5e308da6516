import type { AnswerHeaders } from './http-answer.js';

/**
 * Throttling that looks like a refusal. GitHub answers pushes with 403 "You have exceeded a
 * secondary rate limit. Please wait a few minutes before you try again."
 * (markrussinovich/refchecker#67); ghcr.io puts its wait in a 429's body, not in `Retry-After`:
 * `toomanyrequests: retry-after: 10.3ms, allowed: 2000/minute` (chainguard-images/images#173);
 * the REST API says "API rate limit exceeded" with `x-ratelimit-remaining: 0`, or a secondary
 * limit with `Retry-After` (docs.github.com, "Rate limits for the REST API").
 */
const RATE_LIMIT_WORDS = /rate limit|too ?many ?requests/i;

/** A `Retry-After` (or a wait a rate limit's body states) beyond this is waited for this long only. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A rate limit that names no wait asks for minutes ("Please wait a few minutes"): the backoff
 * then starts here rather than at the base delay, still within MAX_RETRY_AFTER_MS.
 */
export const RATE_LIMIT_DELAY_MS = 5_000;

/** Whether an answer is a rate limit rather than a refusal: every 429, and a 403 that says so. */
export function isRateLimit(status: number, text: string, headers?: AnswerHeaders): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return RATE_LIMIT_WORDS.test(text) || headers?.get('x-ratelimit-remaining') === '0' || headers?.has('retry-after') === true;
}

/** Whether a program's output (docker push) says it was rate-limited. */
export function saysRateLimited(output: string): boolean {
  return RATE_LIMIT_WORDS.test(output);
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The wait a body states after `retry-after:` — a Go duration as ghcr.io writes it (`10.3ms`,
 * `1m30s`) or whole seconds — in milliseconds; undefined when it states none.
 */
export function statedWait(text: string): number | undefined {
  const value = text.match(/retry-after:?\s*((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+|\d+(?:\.\d+)?)(?![\w.])/i)?.[1];
  if (value === undefined) return undefined;
  if (/^[\d.]+$/.test(value)) return Number(value) * 1000;
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gi)) ms += Number(amount) * UNIT_MS[unit.toLowerCase()];
  return ms;
}

/** The wait after rate-limited attempt `n`: what `text` states, else backoff from `firstMs`; at most MAX_RETRY_AFTER_MS. */
export function rateLimitDelay(text: string, n: number, firstMs = RATE_LIMIT_DELAY_MS): number {
  return Math.min(statedWait(text) ?? firstMs * 2 ** (n - 1), MAX_RETRY_AFTER_MS);
}
