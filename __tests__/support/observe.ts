import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FaultProxy } from './fault-proxy.ts';
import type { StepResult } from './runner.ts';

// What a test reads to judge a step: the registry (through skopeo or a proxy's log), and the step's own log.
const run = promisify(execFile);

/** The tags a repository holds, read with skopeo; [] for a repository with none (or none yet). */
export async function listTags(repository: string, creds: string): Promise<string[]> {
  try {
    const { stdout } = await run('skopeo', ['list-tags', '--tls-verify=false', '--creds', creds, `docker://${repository}`]);
    return ((JSON.parse(stdout) as { Tags: string[] | null }).Tags ?? []).sort();
  } catch (e) {
    if (/name unknown|NAME_UNKNOWN|registry 404 \(Not Found\)/i.test(String((e as { stderr?: string }).stderr ?? e))) return [];
    throw e;
  }
}

/** Bytes of blob uploads (PUT or PATCH of an upload session) the proxy passed on, from request `from` on. */
export function uploadedBytes(proxy: FaultProxy, from = 0): number {
  return proxy.requests
    .slice(from)
    .filter((r) => (r.method === 'PUT' || r.method === 'PATCH') && /\/blobs\/uploads\//.test(r.path))
    .reduce((sum, r) => sum + r.bytesIn, 0);
}

/** Requests the proxy passed on from request `from` on, as `METHOD path`. */
export function seen(proxy: FaultProxy, from = 0): string[] {
  return proxy.requests.slice(from).map((r) => `${r.method} ${r.path}`);
}

/** The step's failure, as the runner shows it. */
export const failure = (step: StepResult): string =>
  step.stdout
    .split('\n')
    .filter((l) => l.startsWith('::error'))
    .join('\n')
    .replace(/%0A/g, '\n')
    .replace(/%25/g, '%');

/** The notices the step gave, one per entry. */
export const notices = (step: StepResult): string[] =>
  step.stdout
    .split('\n')
    .filter((l) => l.startsWith('::notice'))
    .map((l) => l.replace(/%0A/g, '\n'));

/** Whether the step ran a build (buildx or the classic builder). */
export const built = (step: StepResult): boolean => step.dockerCalls.some((c) => c.startsWith('buildx build') || c.startsWith('build '));
