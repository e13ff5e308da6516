import type { GitHubContext } from '../runner/index.js';
import { fillPlaceholders, runValues } from './placeholders.js';
import type { Settings } from './settings.js';

const OCI = 'org.opencontainers.image';
export const SOURCE = `${OCI}.source`;

/**
 * The labels that link the package to its repository and describe it on the package page,
 * then the user's own labels (which win, as the user asked for them), their placeholders filled.
 */
export function imageLabels(settings: Settings, ctx: GitHubContext, created: Date): Record<string, string> {
  const labels: Record<string, string> = {
    [SOURCE]: `${ctx.serverUrl}/${settings.repository}`,
    [`${OCI}.revision`]: ctx.sha,
    [`${OCI}.created`]: created.toISOString(),
    [`${OCI}.version`]: settings.version,
    [`${OCI}.title`]: settings.path.split('/').pop() ?? '',
  };
  if (settings.description) labels[`${OCI}.description`] = settings.description;
  if (settings.licenses) labels[`${OCI}.licenses`] = settings.licenses;
  for (const [key, value] of Object.entries(labels)) if (value === '') delete labels[key];
  const values = runValues(settings, ctx, created);
  const own = Object.entries(settings.labels).map(([key, value]): [string, string] => [key, fillPlaceholders(value, values)]);
  return { ...labels, ...Object.fromEntries(own) };
}

/** What ghcr.io reads from the index of a multi-platform image, and from a merged one. */
export function indexAnnotations(labels: Record<string, string>): Record<string, string> {
  const keys = [SOURCE, `${OCI}.description`, `${OCI}.licenses`];
  return Object.fromEntries(keys.filter((k) => labels[k]).map((k) => [k, labels[k]]));
}
