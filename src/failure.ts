import * as core from '@actions/core';
import { ActionError, InputErrors } from './errors.js';
import { escape } from './summary.js';

/** The one place an error becomes the step's failure: one annotation per bad input, and the summary says why. */
export async function reportFailure(e: unknown): Promise<void> {
  let lines: string[];
  if (e instanceof InputErrors) {
    for (const err of e.errors) core.error(err.message, { title: err.input ? `ghcr-publish: input '${err.input}'` : 'ghcr-publish' });
    core.setFailed(e.errors.length === 1 ? 'An input is invalid; nothing was built or pushed.' : `${e.errors.length} inputs are invalid; nothing was built or pushed.`);
    lines = e.errors.map((err) => err.message);
  } else if (e instanceof ActionError) {
    core.setFailed(e.message);
    lines = [e.message];
  } else {
    core.setFailed(`Unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    lines = [`Unexpected failure: ${e instanceof Error ? e.message : String(e)}`];
  }
  try {
    await core.summary.addHeading('ghcr-publish failed', 3).addRaw(`<pre>${escape(lines.join('\n\n'))}</pre>`, true).write();
  } catch {
    // No summary file outside a runner: the annotations above already say it.
  }
}
