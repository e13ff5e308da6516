import { core, ActionError, InputErrors } from '../runner/index.js';
import { InputConflict } from '../settings/index.js';
import { escape } from './summary.js';

function title(err: ActionError): string {
  const names = err instanceof InputConflict ? err.inputs : err.input ? [err.input] : [];
  return names.length > 0
    ? `ghcr-publish: input${names.length > 1 ? 's' : ''} ${names.map((n) => `'${n}'`).join(' and ')}`
    : 'ghcr-publish';
}

/** The one place an error becomes the step's failure: one annotation per bad input, and the summary says why. */
export async function reportFailure(e: unknown): Promise<void> {
  let lines: string[];
  if (e instanceof InputErrors) {
    for (const err of e.errors) core.error(err.message, { title: title(err) });
    core.setFailed(
      e.errors.length === 1
        ? 'An input is invalid; nothing was built or pushed.'
        : `${e.errors.length} inputs are invalid; nothing was built or pushed.`,
    );
    lines = e.errors.map((err) => err.message);
  } else if (e instanceof ActionError) {
    core.setFailed(e.message);
    lines = [e.message];
  } else {
    // A bundled stack says little to a user: the message, with the stack for those who turn on debug logging.
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof Error && e.stack) core.debug(e.stack);
    core.setFailed(
      `Unexpected failure: ${message}. Nothing is reported as published. Re-run the job; if it happens again, report it with this message.`,
    );
    lines = [`Unexpected failure: ${message}`];
  }
  try {
    await core.summary
      .addHeading('ghcr-publish failed', 3)
      .addRaw(`<pre>${escape(lines.join('\n\n'))}</pre>`, true)
      .write();
  } catch {
    // No summary file outside a runner: the annotations above already say it.
  }
}
