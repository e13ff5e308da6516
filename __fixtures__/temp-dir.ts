import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];
const removeAll = () => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
};
// In a jest test file (which evaluates this module afresh): once that file's tests are done.
// Elsewhere (the benches use the test support too): when the process exits.
const afterAll = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
if (afterAll) afterAll(removeAll);
else process.on('exit', removeAll);

/** A new directory under the system's temporary directory, removed after the tests (or the process). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
