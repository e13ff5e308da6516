// Start-up cost of each step: wall time of `node dist/<step>/index.js` in a step that has nothing to
// do (main: no inputs, so it fails at once on validation; post: no saved state) minus that of a bare
// `node -e 0`, runs interleaved; and the size of dist/. Numbers, not assertions.
// `node bench/load.mjs [dist-dir]`; BENCH_LOAD_RUNS sets the number of runs (default 60).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 60);

// A clean environment: no GITHUB_* or STATE_* variables, so neither step finds work; file commands
// go to a scratch directory.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
const env = { PATH: process.env.PATH, HOME: scratch, RUNNER_TEMP: scratch };

const cases = {
  bare: ['-e', '0'],
  main: [path.join(DIST, 'main/index.js')],
  post: [path.join(DIST, 'post/index.js')],
};

function once(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(NODE, args, { env, cwd: scratch, stdio: 'ignore' });
  if (r.error) throw r.error;
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < 5; i++) for (const args of Object.values(cases)) once(args); // warm the page cache
for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(cases)) times[name].push(once(args));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x) => `${x.toFixed(1).padStart(5)} ms`;

function bytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytes(p) : entry.name.endsWith('.js') ? statSync(p).size : 0;
  }
  return total;
}
/** Bytes of a step's entry and of every chunk it imports statically (what start-up parses). */
function startupBytes(file, seen = new Set()) {
  if (seen.has(file)) return 0;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  const imports = [...code.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => path.resolve(path.dirname(file), m[1]));
  return code.length + imports.reduce((sum, f) => sum + startupBytes(f, seen), 0);
}

console.log(`start-up of each step, ${RUNS} interleaved runs (${NODE}):`);
console.log(`  bare node -e 0             median ${ms(median(times.bare))}, mean ${ms(mean(times.bare))}`);
for (const step of ['main', 'post']) {
  const over = median(times[step]) - median(times.bare);
  console.log(
    `  ${step} step                  median ${ms(median(times[step]))}, mean ${ms(mean(times[step]))}; over bare node ${ms(over)} (target <= 15 ms)`,
  );
}
console.log(`  dist/ size, all .js        ${(bytes(DIST) / 1e6).toFixed(3)} MB`);
for (const step of ['main', 'post'])
  console.log(
    `  ${step} step loads at start  ${(startupBytes(path.join(DIST, step, 'index.js')) / 1e3).toFixed(1)} kB (its entry and the chunks it imports statically)`,
  );
