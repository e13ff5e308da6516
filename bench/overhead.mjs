// The action's own overhead for one publish of the example image: wall time of main + post minus
// the time of the docker commands they ran; and the size of dist/. Numbers, not assertions.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { publishExample } from '../__tests__/support/example.ts';
import { ROOT } from '../__tests__/support/runner.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const overheads = [];
for (let i = 0; i < RUNS; i++) {
  const { main, post } = await publishExample(`v1.0.${i}`);
  if (main.exitCode !== 0 || post.exitCode !== 0) throw new Error(`publish failed:\n${main.stdout}\n${main.stderr}`);
  const wall = main.seconds + post.seconds;
  const docker = main.dockerSeconds + post.dockerSeconds;
  overheads.push({ wall, docker, own: wall - docker });
}
overheads.sort((a, b) => a.own - b.own);
const median = overheads[Math.floor(RUNS / 2)];
// Every bundle and chunk, in dist/main, dist/post and dist/chunks.
const distBytes = readdirSync(path.join(ROOT, 'dist'), { recursive: true })
  .filter((f) => f.endsWith('.js'))
  .reduce((sum, f) => sum + statSync(path.join(ROOT, 'dist', f)).size, 0);

const s = (x) => `${x.toFixed(3)} s`;
console.log(`publish of examples/hello, ${RUNS} runs (median by own time):`);
console.log(`  main + post wall time      ${s(median.wall)}`);
console.log(`  docker commands            ${s(median.docker)}`);
console.log(
  `  action's own overhead      ${s(median.own)}   (min ${s(overheads[0].own)}, max ${s(overheads.at(-1).own)}; target <= 0.250 s)`,
);
console.log(`  dist/ size, all entries    ${(distBytes / 1e6).toFixed(3)} MB (target <= 1 MB)`);
