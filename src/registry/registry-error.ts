/** A registry's refusal, with its own words as docker would print them (`denied: …`). */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly registryMessage: string,
    readonly step: string,
  ) {
    super(`${step}: HTTP ${status}${registryMessage ? `: ${registryMessage}` : ''}`);
    this.name = 'RegistryError';
  }
}

/** The registry's own words from an error response, formatted as the docker client prints them. */
export async function registryError(res: Response, step: string): Promise<RegistryError> {
  const text = await res.text().catch(() => '');
  let message = text.trim().slice(0, 500);
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (body.errors?.length) {
      message = body.errors.map((e) => `${(e.code ?? 'error').toLowerCase()}: ${e.message ?? ''}`.trim()).join('; ');
    }
  } catch {
    // not JSON: keep the text as it is
  }
  // A HEAD, or a proxy's empty answer: the status line is all there is.
  if (!message && res.statusText) message = res.statusText;
  return new RegistryError(res.status, message, step);
}
