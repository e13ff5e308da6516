import { core, type GitHubContext } from '../runner/index.js';
import type { CreatedTime } from './plan.js';

/** The checked-out commit's time, in seconds, or undefined where there is no checkout of it. */
async function gitCommitTime(sha: string, dir: string): Promise<number | undefined> {
  try {
    // Loaded here, not at the top: child_process costs every main step that needs no git.
    const [{ execFile }, { promisify }] = await Promise.all([import('node:child_process'), import('node:util')]);
    const { stdout } = await promisify(execFile)('git', ['-C', dir, 'log', '-1', '--format=%ct', sha || 'HEAD'], { timeout: 10_000 });
    const seconds = Number(stdout.trim());
    return Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When the image says it was created: with `reproducible`, the commit's time — from the event
 * payload, else the checked-out commit — so that the same commit builds to the same digest.
 */
export async function createdTime(reproducible: boolean, ctx: GitHubContext, dir: string, now: Date): Promise<CreatedTime> {
  if (!reproducible) return { date: now, from: 'the clock' };
  if (ctx.commitTime !== undefined) return { date: new Date(ctx.commitTime * 1000), from: 'the event payload' };
  const seconds = await gitCommitTime(ctx.sha, dir);
  if (seconds !== undefined) return { date: new Date(seconds * 1000), from: 'the checked-out commit' };
  core.notice(
    `reproducible: the time of commit ${ctx.sha || '(unknown)'} is neither in the event payload nor in a checkout at ${dir}; the clock's time is used, so a rebuild gets another digest.`,
  );
  return { date: now, from: 'the clock' };
}
