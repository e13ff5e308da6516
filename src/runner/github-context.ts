import { readFileSync } from 'node:fs';

/** What the runner tells a step about its workflow run, read from its environment once. */
export interface GitHubContext {
  serverUrl: string;
  apiUrl: string;
  repository: string;
  repositoryOwner: string;
  ref: string;
  sha: string;
  actor: string;
  eventName: string;
  runId: string;
  runAttempt: string;
  /** A pull request from a fork or a Dependabot run: GITHUB_TOKEN is read-only by design. */
  readOnlyToken: boolean;
  /** `Organization` or `User` when the event says, for the package page's address. */
  ownerType: string;
  /** The commit's time (seconds since the epoch) when the event payload carries it (push events). */
  commitTime?: number;
  /** The repository's default branch, when the event payload names it (`latest: default-branch`). */
  defaultBranch?: string;
}

export function readContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  return {
    serverUrl,
    apiUrl: (env.GITHUB_API_URL || defaultApiUrl(serverUrl)).replace(/\/+$/, ''),
    repository,
    repositoryOwner: env.GITHUB_REPOSITORY_OWNER || repository.split('/')[0] || '',
    ref: env.GITHUB_REF ?? '',
    sha: env.GITHUB_SHA ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    runId: env.GITHUB_RUN_ID ?? '',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
    readOnlyToken: isReadOnlyRun(env, repository, event),
    ownerType: typeof event?.repository?.owner?.type === 'string' ? event.repository.owner.type : '',
    commitTime: eventCommitTime(event, env.GITHUB_SHA ?? ''),
    defaultBranch: typeof event?.repository?.default_branch === 'string' ? event.repository.default_branch : undefined,
  };
}

function defaultApiUrl(serverUrl: string): string {
  const host = new URL(serverUrl).host;
  if (host === 'github.com') return 'https://api.github.com';
  if (host.endsWith('.ghe.com')) return `https://api.${host}`;
  return `${serverUrl}/api/v3`;
}

function isReadOnlyRun(env: NodeJS.ProcessEnv, repository: string, event: Event | undefined): boolean {
  if (env.GITHUB_ACTOR === 'dependabot[bot]' || env.GITHUB_TRIGGERING_ACTOR === 'dependabot[bot]') return true;
  if (!['pull_request', 'pull_request_review', 'pull_request_review_comment'].includes(env.GITHUB_EVENT_NAME ?? '')) {
    return false;
  }
  const head = event?.pull_request?.head?.repo?.full_name;
  return typeof head === 'string' && head.toLowerCase() !== repository.toLowerCase();
}

/** The head commit's timestamp of a push event, when it is the commit being built. */
function eventCommitTime(event: Event | undefined, sha: string): number | undefined {
  const head = event?.head_commit;
  if (typeof head?.timestamp !== 'string' || (head.id !== undefined && head.id !== sha)) return undefined;
  const ms = Date.parse(head.timestamp);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

interface Event {
  head_commit?: { id?: unknown; timestamp?: unknown };
  pull_request?: { head?: { repo?: { full_name?: unknown } } };
  repository?: { owner?: { type?: unknown }; default_branch?: unknown };
}

function readEvent(path: string | undefined): Event | undefined {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Event;
  } catch {
    return undefined;
  }
}
