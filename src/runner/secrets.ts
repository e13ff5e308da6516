import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRunDir } from './run-dir.js';

export interface SecretFiles {
  dir: string;
  files: { id: string; path: string }[];
}

/**
 * Writes each build secret to a file private to this run (`ghcr-publish-secrets-XXXXXX` under
 * `temp`, 0700; files 0600), so BuildKit reads it by path: the value is never on a command line,
 * in a build arg or in the image. The post step recognises the directory by its place and prefix.
 */
export function writeSecretFiles(temp: string, secrets: readonly { id: string; value: string }[]): SecretFiles {
  const dir = createRunDir(temp, 'secrets');
  const files = secrets.map((s, i) => {
    const file = path.join(dir, `${i}`);
    writeFileSync(file, s.value, { mode: 0o600 });
    return { id: s.id, path: file };
  });
  return { dir, files };
}

export function removeSecretFiles(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
