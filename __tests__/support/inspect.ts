import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

/** Reads images back with skopeo, a client independent of the action and of docker. */
export function rawManifest(ref: string, creds: string): { digest: string; json: Record<string, unknown> } {
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${ref}`]);
  return { digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`, json: JSON.parse(raw.toString()) as Record<string, unknown> };
}

export interface ImageConfig {
  config?: { Labels?: Record<string, string>; Env?: string[] };
  history?: { created_by?: string }[];
}

export function imageConfig(ref: string, creds: string, platform?: { os: string; arch: string }): ImageConfig {
  const args = ['inspect', '--config', '--tls-verify=false', '--creds', creds];
  if (platform) args.unshift('--override-os', platform.os, '--override-arch', platform.arch);
  return JSON.parse(execFileSync('skopeo', [...args, `docker://${ref}`]).toString()) as ImageConfig;
}

/** Whether the registry has the tag. */
export function hasTag(ref: string, creds: string): boolean {
  try {
    execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${ref}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
