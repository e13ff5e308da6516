import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { tempDir } from '../../__fixtures__/temp-dir.ts';

// Asynchronous on purpose: a registry stand-in may run in this very process.
const run = promisify(execFile);

/** Copies an image's blobs, layers decompressed, into a new directory under `dir` (default: a fresh one in the temp dir). */
export async function copyLayers(ref: string, creds: string, dir = tempDir('layers-')): Promise<string> {
  await run('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds, '--dest-decompress', `docker://${ref}`, `dir:${dir}`]);
  return dir;
}

/** Reads images back with skopeo, a client independent of the action and of docker. */
export async function rawManifest(ref: string, creds: string): Promise<{ digest: string; json: Record<string, unknown> }> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${ref}`], {
    encoding: 'buffer',
  });
  return {
    digest: `sha256:${createHash('sha256').update(stdout).digest('hex')}`,
    json: JSON.parse(stdout.toString()) as Record<string, unknown>,
  };
}

export interface ImageConfig {
  config?: { Labels?: Record<string, string>; Env?: string[] };
  history?: { created_by?: string }[];
}

export async function imageConfig(ref: string, creds: string, platform?: { os: string; arch: string }): Promise<ImageConfig> {
  const args = ['inspect', '--config', '--tls-verify=false', '--creds', creds];
  if (platform) args.unshift('--override-os', platform.os, '--override-arch', platform.arch);
  const { stdout } = await run('skopeo', [...args, `docker://${ref}`]);
  return JSON.parse(stdout) as ImageConfig;
}

/**
 * Whether the registry has the tag (or digest): false only when the registry says it does not;
 * any other failure (no connection, a refused credential) throws, so that "nothing was pushed"
 * cannot pass because nothing could be asked.
 */
export async function hasTag(ref: string, creds: string): Promise<boolean> {
  try {
    await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${ref}`]);
    return true;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const said = err.stderr || err.message;
    if (/manifest unknown|name unknown|not found/i.test(said) && !/connection refused|no such host|dial tcp/i.test(said)) return false;
    throw new Error(`skopeo could not tell whether ${ref} exists: ${said.trim()}`, { cause: e });
  }
}

/** Runs a command with `input` on stdin, without blocking this process. */
export function runWithInput(
  command: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(input);
  });
}
