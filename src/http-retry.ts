/** How the action's own HTTP calls retry: what may pass on a second try, with backoff and a bound. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetry: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 300,
  timeoutMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const RETRYABLE_STATUS = (status: number): boolean => status === 429 || status >= 500;

/**
 * fetch with retries on timeouts, resets, 429 and 5xx; never on 401 or 403 or other 4xx.
 * Returns the last response (even a failed one) or throws the last network error.
 */
export async function fetchWithRetry(url: string, init: RequestInit, policy: RetryPolicy = defaultRetry): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(policy.timeoutMs) });
      if (!RETRYABLE_STATUS(res.status) || attempt === policy.attempts) return res;
      await res.body?.cancel();
      await policy.sleep(delay(policy, attempt, res.headers.get('retry-after')));
    } catch (e) {
      lastError = e;
      if (attempt === policy.attempts) break;
      await policy.sleep(delay(policy, attempt, null));
    }
  }
  throw new Error(`${init.method ?? 'GET'} ${url} failed after ${policy.attempts} attempts: ${describe(lastError)}`);
}

function delay(policy: RetryPolicy, attempt: number, retryAfter: string | null): number {
  const asked = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  return Math.min(Math.max(asked, policy.baseDelayMs * 2 ** (attempt - 1)), 10_000);
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? e.message;
  }
  return String(e);
}
