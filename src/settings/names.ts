import { ActionError } from '../runner/index.js';

// OCI distribution spec: one path component of a repository name.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
export const MAX_NAME_LENGTH = 255;

/** A valid path made from `value`, for suggestions only: the action never rewrites names itself. */
export function suggestPath(value: string): string {
  return (
    value
      .split('/')
      .filter((p) => p.trim() !== '')
      .map(suggestComponent)
      .join('/') || 'image'
  );
}

function suggestComponent(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return cleaned || 'image';
}

/**
 * Lower-cases a repository path (one or more `/`-separated components) and checks each
 * component against the OCI rules. Throws an ActionError naming `input` when it cannot be used.
 */
export function checkPath(input: string, value: string, what: string): string {
  const lowered = value.trim().toLowerCase();
  const parts = lowered.split('/');
  const bad = parts.filter((p) => !COMPONENT.test(p));
  if (lowered === '' || bad.length > 0) {
    const shown = lowered === value.trim() ? `"${value}"` : `"${value}" (lower-cased: "${lowered}")`;
    throw new ActionError(
      `${shown} is not a valid ${what}: ${
        lowered === ''
          ? 'it is empty'
          : `${bad.map((b) => `"${b}"`).join(', ')} breaks the OCI rule that each path component matches [a-z0-9]+((.|_|__|-+)[a-z0-9]+)*`
      }.`,
      `Use for example "${suggestPath(value)}".`,
      input,
    );
  }
  return lowered;
}

/** `host/path`, checked against the 255-character limit of the OCI rules. */
export function fullName(host: string, path: string, input: string): string {
  const name = `${host}/${path}`;
  if (name.length > MAX_NAME_LENGTH) {
    throw new ActionError(
      `the image name "${name}" has ${name.length} characters; registry host and name together may have at most ${MAX_NAME_LENGTH}.`,
      'Choose a shorter image name.',
      input,
    );
  }
  return name;
}
