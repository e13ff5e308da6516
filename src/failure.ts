import * as core from '@actions/core';
import { ActionError, InputErrors } from './errors.js';

/** The one place an error becomes the step's failure: one annotation per bad input. */
export function reportFailure(e: unknown): void {
  if (e instanceof InputErrors) {
    for (const err of e.errors) core.error(err.message, { title: err.input ? `ghcr-publish: input '${err.input}'` : 'ghcr-publish' });
    core.setFailed(e.errors.length === 1 ? 'An input is invalid; nothing was built or pushed.' : `${e.errors.length} inputs are invalid; nothing was built or pushed.`);
  } else if (e instanceof ActionError) {
    core.setFailed(e.message);
  } else {
    core.setFailed(`Unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}
