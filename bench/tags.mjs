// A publish of one tag and of 25 tags of the same image, interleaved in one run, and their ratio:
// the image is uploaded once and every further tag is one manifest PUT. Numbers, not assertions.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startRegistry } from '../__tests__/support/registry.ts';
import { Runner } from '../__tests__/support/runner.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = 'ghs_benchTagsToken0123456789abcdefgh';
const registry = await startRegistry({ kind: 'htpasswd', users: { bench: TOKEN } });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const times = { 1: [], 25: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const count of [1, 25]) {
      const runner = new Runner();
      writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
      writeFileSync(path.join(runner.workspace, 'hello.txt'), `tags bench ${i} ${count} ${Date.now()}\n`);
      const tags = Array.from({ length: count }, (_, t) => `t${t}`).join(',');
      const github = { repository: `bench/tags-${count}`, actor: 'bench', token: TOKEN, ref: 'refs/heads/main' };
      const main = await runner.main(github, { registry: registry.host, tags, cache: 'false' });
      if (main.exitCode !== 0) throw new Error(`publish failed:\n${main.stdout}`);
      times[count].push(main.seconds);
    }
  }
  const [one, many] = [median(times[1]), median(times[25])];
  console.log(`publish of a new image, ${RUNS} interleaved runs (median main step):`);
  console.log(`  1 tag      ${one.toFixed(3)} s`);
  console.log(`  25 tags    ${many.toFixed(3)} s`);
  console.log(`  ratio      ${(many / one).toFixed(2)} (target <= 1.2)`);
} finally {
  await registry.stop();
}
