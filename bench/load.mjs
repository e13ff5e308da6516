// Start-up cost of each step over a bare `node -e 0`, runs interleaved; the minimum of the runs (the
// cost with the least interference from whatever else the machine runs), and the median beside it:
// - load: the bundle evaluated as in a step, run() not called (built with scripts/build.mjs --load-only);
// - step with nothing to do: dist/<step>/index.js itself (main: no inputs, so it fails at once on
//   validation; post: no saved state).
// And the size of dist/. Numbers, not assertions. BENCH_LOAD_RUNS sets the number of runs (default 60).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 60);

// A clean environment: no GITHUB_* or STATE_* variables, so neither step finds work; file commands
// go to a scratch directory.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const env = { PATH: process.env.PATH, HOME: scratch, RUNNER_TEMP: scratch };
const loadOnly = path.join(scratch, 'dist-load-only');
execFileSync(NODE, [path.join(ROOT, 'scripts/build.mjs'), loadOnly, '--load-only'], { stdio: 'inherit' });

const cases = {
  bare: ['-e', '0'],
  'main load': [path.join(loadOnly, 'main/index.js')],
  'post load': [path.join(loadOnly, 'post/index.js')],
  'main step': [path.join(DIST, 'main/index.js')],
  'post step': [path.join(DIST, 'post/index.js')],
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
const min = (xs) => Math.min(...xs);
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

const bare = { min: min(times.bare), median: median(times.bare) };
console.log(`start-up of each step over bare node, minimum (median) of ${RUNS} interleaved runs (${NODE}):`);
console.log(`  bare node -e 0                    ${ms(bare.min)} (${ms(bare.median)})`);
for (const name of ['main load', 'post load', 'main step', 'post step']) {
  const target = name === 'main load' ? ' (target <= 25 ms)' : name === 'post load' ? ' (target <= 15 ms)' : '';
  console.log(
    `  ${`${name}${name.endsWith('load') ? '' : ', nothing to do'}`.padEnd(33)} over bare node ${ms(min(times[name]) - bare.min)} (${ms(median(times[name]) - bare.median)})${target}`,
  );
}
console.log(`  dist/ size, all .js               ${(bytes(DIST) / 1e6).toFixed(3)} MB`);
for (const step of ['main', 'post']) {
  console.log(
    `  ${step} step parses at start         ${(startupBytes(path.join(DIST, step, 'index.js')) / 1e3).toFixed(1)} kB (entry and the chunks it imports statically)`,
  );
}
