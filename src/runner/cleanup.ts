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
    const res = await runDocker(args, env);
    const output = res.output.trim();
    if (output) process.stdout.write(`${safeLines(output)}\n`);
    if (res.exitCode !== 0) throw new Error(`docker ${args.join(' ')} exited with ${res.exitCode}: ${output || 'no output'}`);
  };
  return {
    logout: (registry) => run(['logout', registry]),
    removeBuilder: (name) => run(['buildx', 'rm', name]),
  };
}

/** Runs docker, collecting what it printed; child_process is loaded only by a post step with work to do. */
async function runDocker(args: string[], env: Record<string, string>): Promise<{ exitCode: number | string; output: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? signal ?? 'unknown', output }));
  });
}
