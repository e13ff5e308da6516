// The action's own overhead for a publish of the example image (warm engine build cache), measured
// as Docker's chain is: the publish's wall time (main + post) minus the wall time of the same
// docker work run from the CLI (login, `buildx build --push`, logout), in the same run, each
// against a registry started fresh; without and with an Actions cache service (the tests'
// stand-in; an unchanged context, so an exact hit: those registries keep one address, as the
// image's name is part of the cache's key), interleaved. And the size of dist/.
// Numbers, not assertions.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeCacheService } from '../__tests__/support/cache-service.ts';
import { EXAMPLE_TOKEN, exampleWorkspace } from '../__tests__/support/example.ts';
import { freePort, startRegistry } from '../__tests__/support/registry.ts';
import { ROOT, Runner } from '../__tests__/support/runner.ts';
import { dockerWork, removeImagesOf, stats } from './support/docker-work.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const service = new FakeCacheService();
await service.start();
// One checkout published again and again, as a branch's runs would.
const runner = new Runner({ shim: false });
const context = exampleWorkspace(runner);
const userDocker = mkdtempSync(path.join(os.tmpdir(), 'bench-docker-'));
const github = { repository: 'Example-Org/Hello', actor: 'example-bot', token: EXAMPLE_TOKEN, ref: 'refs/heads/main' };

const hosts = [];
const cachedPort = await freePort();
// The first run with the cache saves it; every later one must hit it exactly.
let cacheSaved = false;
async function withRegistry(work, port) {
  const registry = await startRegistry({ kind: 'htpasswd', users: { 'example-bot': EXAMPLE_TOKEN } }, { port });
  hosts.push(registry.host);
  try {
    return await work(registry);
  } finally {
    await registry.stop();
  }
}

const cli = () =>
  withRegistry((registry) =>
    dockerWork({
      dockerConfig: userDocker,
      registry: registry.host,
      username: 'example-bot',
      token: EXAMPLE_TOKEN,
      reference: `${registry.host}/example-org/hello:main`,
      context,
    }),
  );

const publish = (env, port) =>
  withRegistry(async (registry) => {
    const inputs = { registry: registry.host, context, description: 'The ghcr-publish example image' };
    const main = await runner.main(github, inputs, env);
    const post = await runner.post(github, inputs, main.state, env);
    if (main.exitCode !== 0 || post.exitCode !== 0) throw new Error(`publish failed:\n${main.stdout}\n${main.stderr}`);
    if (port !== undefined) {
      if (cacheSaved && !main.stdout.includes('(exact match)')) throw new Error(`no exact cache hit:\n${main.stdout}`);
      cacheSaved = true;
    }
    return main.seconds + post.seconds;
  }, port);

const runs = { cli: [], without: [], withCache: [] };
try {
  await cli();
  await publish({});
  await publish(service.env, cachedPort); // saves the cache that the measured runs hit
  for (let i = 0; i < RUNS; i++) {
    runs.cli.push(await cli());
    runs.without.push(await publish({}));
    runs.withCache.push(await publish(service.env, cachedPort));
  }
} finally {
  await service.stop();
  removeImagesOf(hosts);
  rmSync(userDocker, { recursive: true, force: true });
  rmSync(runner.dir, { recursive: true, force: true });
}

const s = (x) => `${x.toFixed(3)} s`;
const distBytes = readdirSync(path.join(ROOT, 'dist'), { recursive: true })
  .filter((f) => f.endsWith('.js'))
  .reduce((sum, f) => sum + statSync(path.join(ROOT, 'dist', f)).size, 0);
const cliWall = stats(runs.cli);
console.log(`publish of examples/hello, warm engine build cache, ${RUNS} interleaved runs, a fresh registry each (min / median):`);
console.log(`  the same docker work from the CLI    ${s(cliWall.min)} / ${s(cliWall.median)}  (login, buildx build --push, logout)`);
for (const [name, walls] of [
  ['without a cache service', runs.without],
  ['with a cache service (exact hit)', runs.withCache],
]) {
  const wall = stats(walls);
  const own = stats(walls.map((w, i) => w - runs.cli[i]));
  const ratio = stats(walls.map((w, i) => w / runs.cli[i]));
  console.log(`  ${name}:`);
  console.log(`    main + post wall time            ${s(wall.min)} / ${s(wall.median)}`);
  console.log(`    action's own overhead            ${s(own.min)} / ${s(own.median)}  (wall - the CLI's docker work)`);
  console.log(`    ratio to the CLI's docker work   ${ratio.min.toFixed(2)}x / ${ratio.median.toFixed(2)}x`);
}
console.log(`  dist/ size, all entries             ${(distBytes / 1e6).toFixed(3)} MB`);
