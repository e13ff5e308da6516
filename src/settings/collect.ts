import { ActionError } from '../runner/index.js';

/**
 * Runs checks that throw an ActionError each, collecting the errors in `errors` instead of
 * stopping at the first, so one run reports every bad input; a failed check gives `fallback`.
 */
export function collector(errors: ActionError[]): <T>(fn: () => T, fallback: T) => T {
  return (fn, fallback) => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ActionError)) throw e;
      errors.push(e);
      return fallback;
    }
  };
}
