// The action's own overhead for a publish of the example image (warm engine build cache): wall time
// of main + post minus the time of the docker commands they ran, without and with an Actions cache
// service (the tests' stand-in; an unchanged context, so an exact hit), interleaved in one run; and
// the size of dist/. Numbers, not assertions.
import { readdirSync, statSync } from 'node:fs';
import { FakeCacheService } from '../__tests__/support/cache-service.ts';
import { EXAMPLE_TOKEN, exampleWorkspace } from '../__tests__/support/example.ts';
import { startRegistry } from '../__tests__/support/registry.ts';
import { ROOT, Runner } from '../__tests__/support/runner.ts';
import path from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const registry = await startRegistry({ kind: 'htpasswd', users: { 'example-bot': EXAMPLE_TOKEN } });
const service = new FakeCacheService();
await service.start();
// One checkout published again and again, as a branch's runs would.
const runner = new Runner();
const context = exampleWorkspace(runner);
const github = { repository: 'Example-Org/Hello', actor: 'example-bot', token: EXAMPLE_TOKEN, ref: 'refs/heads/main' };

async function publish(env) {
  const inputs = { registry: registry.host, context, description: 'The ghcr-publish example image' };
  const main = await runner.main(github, inputs, env);
  const post = await runner.post(github, inputs, main.state, env);
  if (main.exitCode !== 0 || post.exitCode !== 0) throw new Error(`publish failed:\n${main.stdout}\n${main.stderr}`);
  const wall = main.seconds + post.seconds;
  const docker = main.dockerSeconds + post.dockerSeconds;
  return { wall, docker, own: wall - docker };
}

const without = [];
const withCache = [];
try {
  await publish({});
  await publish(service.env); // saves the cache that the measured runs hit
  for (let i = 0; i < RUNS; i++) {
    without.push(await publish({}));
    withCache.push(await publish(service.env));
  }
} finally {
  await service.stop();
  await registry.stop();
}

const s = (x) => `${x.toFixed(3)} s`;
const median = (runs) => [...runs].sort((a, b) => a.own - b.own)[Math.floor(runs.length / 2)];
const distBytes = readdirSync(path.join(ROOT, 'dist'), { recursive: true })
  .filter((f) => f.endsWith('.js'))
  .reduce((sum, f) => sum + statSync(path.join(ROOT, 'dist', f)).size, 0);
console.log(`publish of examples/hello, warm engine build cache, ${RUNS} interleaved runs each (median by own time):`);
for (const [name, runs] of [
  ['without a cache service', without],
  ['with a cache service (exact hit)', withCache],
]) {
  const m = median(runs);
  console.log(`  ${name}:`);
  console.log(`    main + post wall time    ${s(m.wall)}`);
  console.log(`    docker commands          ${s(m.docker)}`);
  console.log(`    action's own overhead    ${s(m.own)}`);
}
console.log(`  dist/ size, all entries    ${(distBytes / 1e6).toFixed(3)} MB`);
