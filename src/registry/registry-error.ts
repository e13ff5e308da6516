import type { AnswerHeaders, HttpAnswer } from './http-answer.js';
import { isRateLimit } from './rate-limit.js';

/** A registry's refusal, with its own words as docker would print them (`denied: …`). */
export class RegistryError extends Error {
  /** A 429, or a 403 whose words say it is a rate limit: the registry asked to slow down, it refused nothing. */
  readonly rateLimited: boolean;

  constructor(
    readonly status: number,
    readonly registryMessage: string,
    readonly step: string,
    headers?: AnswerHeaders,
  ) {
    super(`${step}: HTTP ${status}${registryMessage ? `: ${registryMessage}` : ''}`);
    this.name = 'RegistryError';
    this.rateLimited = isRateLimit(status, registryMessage, headers);
  }
}

/** The registry's own words from an error body, formatted as the docker client prints them (`code: message; …`). */
export function registryWords(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (body.errors?.length) {
      return body.errors.map((e) => `${(e.code ?? 'error').toLowerCase()}: ${e.message ?? ''}`.trim()).join('; ');
    }
  } catch {
    // not JSON: keep the text as it is
  }
  return text.trim().slice(0, 500);
}

/** The registry's own words from an error response, formatted as the docker client prints them. */
export async function registryError(res: HttpAnswer, step: string): Promise<RegistryError> {
  const text = await res.text().catch(() => '');
  // A HEAD, or a proxy's empty answer: the status line is all there is.
  const message = registryWords(text) || res.statusText;
  return new RegistryError(res.status, message, step, res.headers);
}
