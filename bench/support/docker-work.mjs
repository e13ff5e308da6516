// The docker work a publish stands for, run from the CLI as Docker's own chain runs it (login,
// `docker buildx build --provenance=false --push`, logout), with a docker configuration kept
// between runs as a runner's ~/.docker is: what the action's time is measured against.
import { execFileSync, spawn } from 'node:child_process';

/** Runs the chain's docker commands for `context` against `registry`; resolves to their wall time in seconds. */
export async function dockerWork({ dockerConfig, registry, username, token, reference, context }) {
  const started = performance.now();
  await docker(dockerConfig, ['login', '--username', username, '--password-stdin', registry], token);
  await docker(dockerConfig, ['buildx', 'build', '--provenance=false', '--push', '--tag', reference, context]);
  await docker(dockerConfig, ['logout', registry]);
  return (performance.now() - started) / 1000;
}

function docker(dockerConfig, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker ${args.join(' ')}: ${err}`))));
    child.stdin.end(input);
  });
}

/** min and median of a list of numbers. */
export function stats(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
}

/** Removes the images the engine named after these registries (`--push` and `--load` keep them). */
export function removeImagesOf(hosts) {
  const named = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })
    .split('\n')
    .filter((ref) => hosts.some((h) => ref.startsWith(`${h}/`)));
  if (named.length > 0) execFileSync('docker', ['image', 'rm', ...named], { stdio: 'ignore' });
}
