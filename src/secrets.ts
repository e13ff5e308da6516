import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BuildSecret } from './inputs.js';

export interface SecretFiles {
  dir: string;
  files: { id: string; path: string }[];
}

/**
 * Writes each build secret to a file private to this run (directory 0700, files 0600), so BuildKit
 * reads it by path: the value is never on a command line, in a build arg or in the image.
 */
export function writeSecretFiles(baseDir: string, secrets: BuildSecret[]): SecretFiles {
  const dir = mkdtempSync(path.join(baseDir, 'ghcr-publish-secrets-'));
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
