import type { GitHubContext } from '../runner/index.js';
import type { Settings } from './settings.js';

// `{{version}}`, `{{sha}}`, `{{short-sha}}`, `{{created}}` and `{{ref-name}}` in build-args and labels.

const PLACEHOLDER = /\{\{\s*([a-z-]+)\s*\}\}/g;

/** The run's values the placeholders stand for; `created` as RFC 3339, the instant of org.opencontainers.image.created. */
export function runValues(settings: Settings, ctx: GitHubContext, created: Date): Record<string, string> {
  return {
    version: settings.version,
    sha: ctx.sha,
    'short-sha': ctx.sha.slice(0, 7).toLowerCase(),
    created: created.toISOString(),
    'ref-name': ctx.ref.replace(/^refs\/[^/]+\//, ''),
  };
}

/** The text with each known placeholder replaced; any other `{{…}}` is left as written. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
}

/** A `KEY=VALUE` build argument with its value filled. */
export function fillBuildArg(arg: string, values: Record<string, string>): string {
  const eq = arg.indexOf('=');
  return `${arg.slice(0, eq + 1)}${fillPlaceholders(arg.slice(eq + 1), values)}`;
}
