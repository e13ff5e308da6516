// Time to compute the build cache key for a small context, with and without 1 GB that .dockerignore
// excludes (20,000 sparse files, which take no disk), and what honouring .dockerignore saves.
// Numbers, not assertions. Run: node bench/cache-key.mjs (Node 24: node_modules/.bin/node).
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import os from 'node:os';
import path from 'node:path';

// src/ imports its siblings as `.js`, as the bundler wants: read them as the `.ts` they are.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (e) {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) throw e;
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
const { contextHash } = await import('../src/docker/context-hash.ts');

const IGNORED_FILES = 20_000;
const IGNORED_BYTES = 1e9;
const RUNS = 5;

function context(withIgnored) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cache-key-'));
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY src /src\n');
  writeFileSync(path.join(dir, '.dockerignore'), 'ignored\n');
  for (let i = 0; i < 200; i++) {
    mkdirSync(path.join(dir, 'src', `m${i % 20}`), { recursive: true });
    writeFileSync(path.join(dir, 'src', `m${i % 20}`, `f${i}.txt`), `source file ${i}\n`.repeat(50));
  }
  if (withIgnored) {
    for (let i = 0; i < IGNORED_FILES; i++) {
      const sub = path.join(dir, 'ignored', `d${i % 200}`);
      if (i < 200) mkdirSync(sub, { recursive: true });
      const file = path.join(sub, `blob${i}.bin`);
      writeFileSync(file, '');
      truncateSync(file, IGNORED_BYTES / IGNORED_FILES);
    }
  }
  return dir;
}

/** Median wall time of the key's hash, in seconds. */
async function time(dir, runs = RUNS) {
  const source = { context: dir, file: path.join(dir, 'Dockerfile'), buildArgs: [], target: '', platforms: [] };
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await contextHash(source);
    times.push((performance.now() - start) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const small = context(false);
const big = context(true);
try {
  const without = await time(small);
  const withIgnored = await time(big);
  rmSync(path.join(big, '.dockerignore'));
  const unignored = await time(big, 1);
  console.log(`cache key of a 200-file context, median of ${RUNS} runs:`);
  console.log(`  alone                                         ${without.toFixed(3)} s`);
  console.log(`  beside 1 GB in ${IGNORED_FILES} files it ignores        ${withIgnored.toFixed(3)} s`);
  console.log(`  difference                                    ${(withIgnored - without).toFixed(3)} s (target < 0.2 s)`);
  console.log(`  the same 1 GB not ignored, so hashed (1 run)  ${unignored.toFixed(3)} s`);
} finally {
  rmSync(small, { recursive: true, force: true });
  rmSync(big, { recursive: true, force: true });
}
