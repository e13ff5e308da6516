import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FakeCacheService } from './cache-service.ts';
import { type GitHub, Runner, type StepResult } from './runner.ts';
import { tempDir } from '../../__fixtures__/temp-dir.ts';

const run = promisify(execFile);

/**
 * The jobs of one workflow run, as GitHub runs them: each job on a machine of its own (a fresh
 * Runner: its own RUNNER_TEMP, HOME and docker configuration), all with the run's id and attempt,
 * and the Actions cache that the jobs of one repository share.
 */
export class WorkflowRun {
  readonly id: string;
  readonly cache: FakeCacheService;
  readonly github: GitHub;

  /** `cacheEnv`: how the runner finds the cache service (default: github.com's v2; `cache.enterpriseEnv` for a GHES runner's v1). */
  constructor(
    cache: FakeCacheService,
    github: GitHub,
    id?: string,
    private readonly cacheEnv?: Record<string, string>,
  ) {
    this.cache = cache;
    this.github = github;
    this.id = id ?? String(1_000_000 + Math.floor(Math.random() * 1_000_000_000));
  }

  /**
   * One job: main then post step on a fresh machine. `workspace` plays the checkout; `attempt` is
   * GITHUB_RUN_ATTEMPT (a re-run of failed jobs runs them again with the next attempt).
   */
  async job(
    inputs: Record<string, string>,
    options: {
      attempt?: number;
      workspace?: (dir: string) => void;
      env?: Record<string, string>;
    } = {},
  ): Promise<Job> {
    const runner = new Runner();
    options.workspace?.(runner.workspace);
    const env = {
      ...(this.cacheEnv ?? this.cache.env),
      GITHUB_RUN_ID: this.id,
      GITHUB_RUN_ATTEMPT: String(options.attempt ?? 1),
      ...options.env,
    };
    const main = await runner.main(this.github, inputs, env);
    const post = await runner.post(this.github, inputs, main.state, env);
    return { runner, main, post };
  }
}

export interface Job {
  runner: Runner;
  main: StepResult;
  post: StepResult;
}

/**
 * Removes the engine's images named under `host` (and any they left dangling): a job's machine
 * goes away with its engine, so nothing a platform job built is there for the merge job.
 */
export async function removeLocalImages(host: string): Promise<void> {
  const { stdout } = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
  const ours = stdout.split('\n').filter((ref) => ref.startsWith(`${host}/`));
  if (ours.length > 0) await run('docker', ['image', 'rm', '--force', ...ours]);
}

/** The engine's images named under `host`, as `docker image ls` lists them. */
export async function localImages(host: string): Promise<string[]> {
  const { stdout } = await run('docker', ['image', 'ls', '--all', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  return stdout.split('\n').filter((line) => line.startsWith(`${host}/`));
}

/** A push event's payload (GITHUB_EVENT_PATH) whose head commit is `sha`, made at `timestamp`. */
export function pushEvent(sha: string, timestamp: string): Record<string, string> {
  return eventFile({
    head_commit: { id: sha, timestamp },
    repository: { owner: { type: 'Organization' } },
  });
}

/** A pull request's payload from the fork `head` (owner/name): GITHUB_TOKEN is read-only on it. */
export function forkPullRequestEvent(head: string): Record<string, string> {
  return eventFile({ pull_request: { head: { repo: { full_name: head } } } });
}

/** A run's event payload, written where GITHUB_EVENT_PATH points. */
export function eventFile(payload: unknown): Record<string, string> {
  const file = path.join(tempDir('event-'), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return { GITHUB_EVENT_PATH: file };
}

/** A build context: a Dockerfile of a `FROM scratch` image holding `hello.txt` with `content`. */
export function helloContext(dir: string, content: string): void {
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(dir, 'hello.txt'), content);
}
