// Images as large as people ship: for a 1 GiB image (a static busybox and four 256 MiB files of
// random data, FROM scratch) and a small one, the action's publish (main + post steps) against the
// same docker work run from the CLI (`docker login` + `docker buildx build --provenance=false --push`
// + `docker logout`), interleaved, each against a registry started fresh; with the inputs at their
// defaults and with `reproducible: false`. Also the main step's peak RSS, and that for an image of
// one 2 GiB layer; and the 1 GiB image with an Actions cache service (GitHub's default), a cache
// miss and an exact hit. Numbers, not assertions: min and median of BENCH_RUNS runs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeCacheService } from '../__tests__/support/cache-service.ts';
import { freePort, startRegistry } from '../__tests__/support/registry.ts';
import { Runner } from '../__tests__/support/runner.ts';
import { dockerWork, removeImagesOf, stats } from './support/docker-work.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;
const TOKEN = 'ghs_benchBigImagesToken0001';
const github = { repository: 'Acme/Widget', actor: 'bench', token: TOKEN, ref: 'refs/heads/main' };

const runner = new Runner({ shim: false });
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-big-'));
// The user's docker configuration for the CLI runs: kept between them, as a runner's ~/.docker is.
const userDocker = path.join(scratch, 'docker');
mkdirSync(userDocker);
// The main step's peak RSS, written when it exits.
const rssFile = path.join(scratch, 'rss');
const preload = path.join(scratch, 'max-rss.mjs');
writeFileSync(
  preload,
  `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS * 1024)));\n`,
);

/** A context FROM scratch: busybox and files of random data of the given sizes. */
async function context(name, sizes) {
  const dir = path.join(runner.workspace, name);
  mkdirSync(dir);
  copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
  const copies = [];
  for (const [i, size] of sizes.entries()) {
    const out = createWriteStream(path.join(dir, `data${i}.bin`));
    for (let left = size; left > 0; left -= 4 * MiB) {
      if (!out.write(randomBytes(Math.min(left, 4 * MiB)))) await new Promise((r) => out.once('drain', r));
    }
    await new Promise((r) => out.end(r));
    copies.push(`COPY data${i}.bin /data/${i}`);
  }
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    ['FROM scratch', 'COPY busybox /bin/busybox', ...copies, 'ENTRYPOINT ["/bin/busybox"]', ''].join('\n'),
  );
  return dir;
}

// The commit the runs publish: its time is what `reproducible` builds with.
execFileSync('git', ['-C', runner.workspace, 'init', '-q']);
execFileSync('git', ['-C', runner.workspace, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '--allow-empty', '-m', 'bench']);
github.sha = execFileSync('git', ['-C', runner.workspace, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

/** Registries the runs pushed to: the engine keeps what `--push` and `--load` named after them. */
const hosts = [];
/** The chain's docker work from the CLI, against a fresh registry. */
async function raw(dir) {
  const registry = await startRegistry({ kind: 'htpasswd', users: { bench: TOKEN } });
  hosts.push(registry.host);
  try {
    const reference = `${registry.host}/acme/raw:main`;
    return {
      wall: await dockerWork({
        dockerConfig: userDocker,
        registry: registry.host,
        username: 'bench',
        token: TOKEN,
        reference,
        context: dir,
      }),
    };
  } finally {
    await registry.stop();
  }
}

/** The action's publish (main + post), against a fresh registry (on `port`, if given); its main step's peak RSS. */
async function action(dir, inputs = {}, stepEnv = {}, port = undefined) {
  const registry = await startRegistry({ kind: 'htpasswd', users: { bench: TOKEN } }, { port });
  hosts.push(registry.host);
  try {
    const env = { NODE_OPTIONS: `--import=${preload}`, ...stepEnv };
    const all = { registry: registry.host, context: dir, ...inputs };
    const main = await runner.main(github, all, env);
    if (main.exitCode !== 0) throw new Error(`publish failed:\n${main.stdout}\n${main.stderr}`);
    const rss = Number(readFileSync(rssFile, 'utf8'));
    const post = await runner.post(github, all, main.state, env);
    if (post.exitCode !== 0) throw new Error(`post step failed:\n${post.stdout}`);
    return { wall: main.seconds + post.seconds, rss, stdout: main.stdout };
  } finally {
    await registry.stop();
  }
}

const s = (x) => `${x.toFixed(3)} s`;
const mb = (x) => `${(x / 1e6).toFixed(0)} MB`;

try {
  const images = {
    small: await context('small', [64 * 1024]),
    '1 GiB': await context('big', [256 * MiB, 256 * MiB, 256 * MiB, 256 * MiB]),
  };
  const results = {};
  for (const [name, dir] of Object.entries(images)) {
    // A first build of each, so that every measured run finds the engine's build cache warm.
    await raw(dir);
    await action(dir);
    results[name] = { raw: [], defaults: [], unreproducible: [] };
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [name, dir] of Object.entries(images)) {
      const r = results[name];
      r.raw.push(await raw(dir));
      r.defaults.push(await action(dir));
      r.unreproducible.push(await action(dir, { reproducible: 'false' }));
    }
  }
  const oneLayer = await action(await context('one-layer', [2048 * MiB]));
  // GitHub's defaults: a cache service (the tests' stand-in), and one registry address, as the
  // image's name is part of the cache's key.
  const service = new FakeCacheService();
  await service.start();
  const cached = [];
  try {
    const port = await freePort();
    for (const [label, said] of [
      ['a cache miss (the cache saved)', 'No build cache for'],
      ['an exact hit', '(exact match)'],
    ]) {
      const run = await action(images['1 GiB'], {}, service.env, port);
      if (!run.stdout.includes(said)) throw new Error(`${label}: the step did not say "${said}":\n${run.stdout}`);
      cached.push([label, run]);
    }
  } finally {
    await service.stop();
  }

  console.log(`images as large as people ship: ${RUNS} interleaved runs, a fresh registry each, min / median`);
  for (const [name, r] of Object.entries(results)) {
    const rawWall = stats(r.raw.map((x) => x.wall));
    console.log(`  ${name} image:`);
    console.log(`    docker login + buildx build --push + logout    ${s(rawWall.min)} / ${s(rawWall.median)}`);
    for (const [label, runs] of [
      ['inputs at their defaults', r.defaults],
      ['reproducible: false', r.unreproducible],
    ]) {
      const wall = stats(runs.map((x) => x.wall));
      const ratio = stats(runs.map((x, k) => x.wall / r.raw[k].wall));
      const own = stats(runs.map((x, k) => x.wall - r.raw[k].wall));
      const rss = stats(runs.map((x) => x.rss));
      console.log(`    action, ${label}:`);
      console.log(`      main + post wall time                       ${s(wall.min)} / ${s(wall.median)}`);
      console.log(`      ratio to the docker work                    ${ratio.min.toFixed(2)}x / ${ratio.median.toFixed(2)}x`);
      console.log(`      action's own time (wall - docker work)      ${s(own.min)} / ${s(own.median)}`);
      console.log(`      main step peak RSS                          ${mb(rss.min)} / ${mb(rss.median)}`);
    }
  }
  console.log(`  one 2 GiB layer, inputs at their defaults: main step peak RSS ${mb(oneLayer.rss)}, ${s(oneLayer.wall)}`);
  console.log(`  1 GiB image with an Actions cache service (warm engine), inputs at their defaults:`);
  for (const [label, r] of cached) console.log(`    ${label.padEnd(32)} ${s(r.wall)}, main step peak RSS ${mb(r.rss)}`);
} finally {
  removeImagesOf(hosts);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(runner.dir, { recursive: true, force: true });
}
