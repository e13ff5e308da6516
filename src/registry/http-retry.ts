import type { Readable } from 'node:stream';
import { MAX_RETRY_AFTER_MS, isRateLimit, rateLimitDelay, statedWait } from './rate-limit.js';
import { Answer, type HttpAnswer } from './http-answer.js';
import { httpRequest } from './http-request.js';
import { registryWords } from './registry-error.js';

/** How the action's own HTTP calls retry: what may pass on a second try, with backoff and a bound. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait after the first failure; it doubles after each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt, from the request until the whole answer is read (uploads may ask for more). */
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Told, in a sentence for people, what failed and what happens next. */
  onRetry?: (message: string) => void;
  /** The first wait after a rate limit that names none (default: RATE_LIMIT_DELAY_MS); it doubles too. */
  rateLimitDelayMs?: number;
}

export const defaultRetry: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 10_000,
  timeoutMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A request body that can be sent again: bytes, or a factory that opens a fresh stream per attempt. */
type StreamedBody = Readable | ReadableStream | Buffer;
export type ReplayableBody = Buffer | Uint8Array | string | (() => StreamedBody | Promise<StreamedBody>);

export interface RetryInit {
  method?: string;
  headers?: Record<string, string>;
  body?: ReplayableBody;
  /** Overrides the policy's per-attempt timeout (a large upload needs longer). */
  timeoutMs?: number;
  /** Hand on the answer's body as it arrives (a layer for a copy); otherwise it is read whole inside the attempt, so a reset while reading it is retried too. */
  streamAnswer?: boolean;
}

/** What one attempt was, for the messages: `PUT http://host/v2/…` (no query: it may hold signatures). */
export interface RetryStep {
  label: string;
}

export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/**
 * A request with retries on timeouts, resets, 429 and 5xx, and a 403 that says it is a rate limit
 * (waiting as `Retry-After` or the body asks); never on 401, another 403 or any other 4xx. Returns the last response, even a failed one, for the caller to turn into
 * the registry's words; throws, naming the request, the attempts and the cause, when the network
 * failed every time. `init.body` must be replayable (see ReplayableBody).
 */
export async function requestWithRetry(url: string, init: RetryInit = {}, policy: RetryPolicy = defaultRetry): Promise<HttpAnswer> {
  return withRetries(policy, (step) => {
    step.label = `${init.method ?? 'GET'} ${shortUrl(url)}`;
    return requestOnce(url, init, policy);
  });
}

/** One request, with the timeout and a fresh body; no retry. */
export async function requestOnce(url: string, init: RetryInit, policy: RetryPolicy): Promise<HttpAnswer> {
  const { body, timeoutMs, streamAnswer, method = 'GET', headers = {} } = init;
  const payload = typeof body === 'function' ? await body() : body;
  return httpRequest(method, url, headers, payload, { timeoutMs: timeoutMs ?? policy.timeoutMs, streamAnswer });
}

export interface RetryOptions {
  /** How the next attempt starts, for the message (e.g. "with a new upload session"). */
  again?: string;
  /** Further answers worth another attempt, beyond 429 and 5xx. */
  alsoRetry?: (res: HttpAnswer) => boolean;
}

/**
 * Runs `attempt` until it answers something other than 429/5xx or a rate limit, or throws
 * something other than a network error, at most `policy.attempts` times. `attempt` names what it
 * tried in `step.label`.
 */
export async function withRetries(
  policy: RetryPolicy,
  attempt: (step: RetryStep) => Promise<HttpAnswer>,
  options: RetryOptions = {},
): Promise<HttpAnswer> {
  const { again, alsoRetry } = options;
  const step: RetryStep = { label: 'request' };
  for (let n = 1; ; n++) {
    let what: string;
    let wait: number;
    try {
      const throttle = await readThrottle(await attempt(step));
      const { res } = throttle;
      if (!(isRetryableStatus(res.status) || throttle.rateLimited || alsoRetry?.(res)) || n >= policy.attempts) return res;
      await res.body?.cancel().catch(() => undefined);
      what = `answered ${res.status} ${res.statusText || statusText(res.status)}`.trimEnd();
      if (throttle.rateLimited) what += ` (a rate limit${throttle.words ? `: ${throttle.words}` : ''})`;
      wait = retryDelay(policy, n, res.headers.get('retry-after'), Date.now(), throttle);
    } catch (e) {
      if (!isTransient(e)) throw e;
      if (n >= policy.attempts) {
        throw new Error(`${step.label} failed after ${n} attempt${n === 1 ? '' : 's'}: ${describeError(e)}`, { cause: e });
      }
      what = `failed (${describeError(e)})`;
      wait = retryDelay(policy, n, null);
    }
    policy.onRetry?.(
      `${step.label} ${what}; retrying${again ? ` ${again}` : ''} in ${seconds(wait)} s (attempt ${n + 1} of ${policy.attempts})`,
    );
    await policy.sleep(wait);
  }
}

/** What a 403 or 429 says about itself: whether it is a rate limit, its words and the wait its body states. */
export interface Throttle {
  rateLimited: boolean;
  words?: string;
  statedMs?: number;
}

/**
 * The answer, and whether it is a rate limit: a 403 or 429's body is read (it is small) to tell,
 * and the answer rebuilt around it so that the caller can still read the registry's words.
 */
async function readThrottle(res: HttpAnswer): Promise<Throttle & { res: HttpAnswer }> {
  if (res.status !== 403 && res.status !== 429) return { res, rateLimited: false };
  const text = await res.text().catch(() => '');
  const rebuilt = new Answer(res.status, res.statusText, res.headers, Buffer.from(text));
  const rateLimited = isRateLimit(res.status, text, res.headers);
  const words = registryWords(text).replace(/\s+/g, ' ').slice(0, 200);
  return { res: rebuilt, rateLimited, words: rateLimited ? words : undefined, statedMs: rateLimited ? statedWait(text) : undefined };
}

/**
 * The wait after failed attempt `n`: what `Retry-After` asks (seconds or an HTTP date), else what a
 * rate limit's body states, each up to a minute; else backoff, from a longer first wait after a
 * rate limit.
 */
export function retryDelay(policy: RetryPolicy, n: number, retryAfter: string | null, now = Date.now(), throttle?: Throttle): number {
  const asked = parseRetryAfter(retryAfter, now) ?? throttle?.statedMs;
  if (asked !== undefined) return Math.min(asked, MAX_RETRY_AFTER_MS);
  if (throttle?.rateLimited) return rateLimitDelay('', n, policy.rateLimitDelayMs);
  return Math.min(policy.baseDelayMs * 2 ** (n - 1), policy.maxDelayMs);
}

function parseRetryAfter(value: string | null, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** A failure of the network or the clock, which may pass on a second try; not a bug, a disk or a refusal. */
export function isTransient(e: unknown): boolean {
  const err = errorLike(e);
  if (!err) return false;
  if (err.name === 'TimeoutError') return true;
  if (err.message === 'fetch failed' || /socket hang up/i.test(err.message)) return true;
  const code = err.code ?? errorLike(err.cause)?.code;
  return code !== undefined && (TRANSIENT_CODES.has(code) || code.startsWith('UND_ERR_'));
}

/** The cause as people search for it: its code, and its message when that says more. */
export function describeError(e: unknown): string {
  const err = errorLike(e);
  if (!err) return String(e);
  if (err.name === 'TimeoutError') return 'no answer in time';
  const cause = errorLike(err.cause) ?? err;
  const message = cause.message && cause.message !== 'fetch failed' ? cause.message : '';
  if (!cause.code) return message || err.message;
  return message && !message.includes(cause.code) ? `${cause.code}: ${message}` : cause.code;
}

interface ErrorLike {
  name: string;
  message: string;
  code?: string;
  cause?: unknown;
}

// Duck-typed: fetch's errors may come from another realm (a test runner's VM), failing instanceof.
function errorLike(e: unknown): ErrorLike | undefined {
  if (typeof e !== 'object' || e === null || typeof (e as { message?: unknown }).message !== 'string') return undefined;
  const { name, message, code, cause } = e as { name?: unknown; message: string; code?: unknown; cause?: unknown };
  return { name: typeof name === 'string' ? name : '', message, code: typeof code === 'string' ? code : undefined, cause };
}

function shortUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** 0.02, 0.6, 1.5, 10: short waits not shown as 0. */
function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(ms >= 100 ? 1 : 3)));
}

/**
 * HTTP/2 answers carry no reason phrase; Node's table names the status. Read when needed: an ESM
 * import of node:http would load Node's WebSocket client at start-up, in every step.
 */
function statusText(status: number): string {
  return process.getBuiltinModule('node:http').STATUS_CODES[status] ?? '';
}
