import * as exec from '@actions/exec';
import { safeLines } from './log.js';

/**
 * The only docker commands the post step can run: log out and remove a builder. It has no way to
 * build, log in or push (src/docker.ts, which can, is not imported by the post step).
 */
export interface CleanupDocker {
  logout(registry: string): Promise<void>;
  removeBuilder(name: string): Promise<void>;
}

export function createCleanupDocker(dockerEnv: NodeJS.ProcessEnv): CleanupDocker {
  const env = Object.fromEntries(Object.entries(dockerEnv).filter((e): e is [string, string] => e[1] !== undefined));
  const run = async (args: string[]) => {
    // Arguments were checked against the action's own patterns; output is printed with commands neutralised.
    process.stdout.write(`[command]docker ${args.join(' ')}\n`);
    const res = await exec.getExecOutput('docker', args, { env, silent: true, ignoreReturnCode: true });
    const output = `${res.stdout}${res.stderr}`.trim();
    if (output) process.stdout.write(`${safeLines(output)}\n`);
    if (res.exitCode !== 0) throw new Error(`docker ${args.join(' ')} exited with ${res.exitCode}: ${output || 'no output'}`);
  };
  return {
    logout: (registry) => run(['logout', registry]),
    removeBuilder: (name) => run(['buildx', 'rm', name]),
  };
}
