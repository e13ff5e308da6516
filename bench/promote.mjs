// A tag run that promotes the branch workflow's image of examples/hello, next to a tag run that
// rebuilds and pushes the same tags: wall time of each step and the bytes of blobs it uploaded,
// counted by a proxy in front of the registry. Numbers, not assertions.
import { execFileSync } from 'node:child_process';
import { EXAMPLE_TOKEN, exampleWorkspace } from '../__tests__/support/example.ts';
import { startFaultProxy } from '../__tests__/support/fault-proxy.ts';
import { uploadedBytes } from '../__tests__/support/observe.ts';
import { startRegistry } from '../__tests__/support/registry.ts';
import { Runner } from '../__tests__/support/runner.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SHA = '5e1ea5e0123456789abcdef0123456789abcdef0';
const github = (ref) => ({
  repository: 'Example-Org/Hello',
  actor: 'example-bot',
  token: EXAMPLE_TOKEN,
  ref,
  sha: SHA,
});
const registry = await startRegistry({
  kind: 'htpasswd',
  users: { 'example-bot': EXAMPLE_TOKEN },
});
const proxy = await startFaultProxy(registry.url);

/** One step on a fresh runner (main and post), with the bytes it uploaded through the proxy. */
async function step(ref, inputs, workspace = false) {
  const runner = new Runner();
  const all = {
    registry: proxy.host,
    ...inputs,
    ...(workspace ? { context: exampleWorkspace(runner) } : {}),
  };
  const from = proxy.requests.length;
  const main = await runner.main(github(ref), all);
  const post = await runner.post(github(ref), all, main.state);
  if (main.exitCode !== 0) throw new Error(`${ref} failed:\n${main.stdout}\n${main.stderr}`);
  return {
    main: main.seconds,
    total: main.seconds + post.seconds,
    bytes: uploadedBytes(proxy, from),
    docker: main.dockerCalls.length,
  };
}

try {
  // The branch workflow publishes main and sha-<7> once.
  await step('refs/heads/main', { description: 'The ghcr-publish example image' }, true);
  const promotes = [];
  const rebuilds = [];
  for (let i = 0; i < RUNS; i++) {
    const ref = `refs/tags/v1.${i}.0`;
    promotes.push(await step(ref, { promote: 'commit' }));
    // The same tags rebuilt on a fresh runner (the engine's build cache empty), as a tag workflow that builds does; the full version moves.
    execFileSync('docker', ['buildx', 'prune', '--all', '--force'], {
      stdio: 'ignore',
    });
    rebuilds.push(
      await step(
        ref,
        {
          description: 'The ghcr-publish example image',
          'immutable-tags': 'false',
          reproducible: 'false',
        },
        true,
      ),
    );
  }
  const median = (xs, key) => [...xs].sort((a, b) => a[key] - b[key])[Math.floor(xs.length / 2)][key];
  const row = (name, xs) =>
    console.log(
      `  ${name.padEnd(26)} main ${median(xs, 'main').toFixed(3)} s, main + post ${median(xs, 'total').toFixed(3)} s, uploaded ${median(xs, 'bytes')} B, docker commands ${median(xs, 'docker')}`,
    );
  console.log(`a tag release of examples/hello (1.x.0, 1.x, 1, latest), ${RUNS} runs, medians:`);
  row('promote: commit', promotes);
  row('rebuild and push (cold)', rebuilds);
  console.log('  target: promote <= 1 s, 0 B of layers uploaded');
} finally {
  await proxy.stop();
  await registry.stop();
}
