// A blob copied from one registry to another as also-push-to and a refused mount do: the source's
// response body streamed into the upload. Two real htpasswd registries on loopback; a small and a
// large blob; the copy's wall time, throughput and the growth of this process's resident memory
// over its level before the copy (sampled every 20 ms), beside the upload of the same blob from a
// file. Memory should not grow with the blob.
// Numbers, not assertions. BENCH_STREAM_MB sets the large blob's size (default 1024).
import { build } from 'esbuild';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../__tests__/support/registry.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LARGE_MB = Number(process.env.BENCH_STREAM_MB ?? 1024);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-stream-'));

// The registry layer as the action bundles it, from src/.
await build({
  entryPoints: [path.join(ROOT, 'src/registry/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: path.join(scratch, 'registry.mjs'),
  // Its CommonJS dependencies (@actions/core) require node's own modules.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'error',
});
const { RegistryClient, streamBlob } = await import(path.join(scratch, 'registry.mjs'));

/** A file of `mb` MiB of random bytes, and its digest. */
async function blobFile(name, mb) {
  const file = path.join(scratch, name);
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  for (let i = 0; i < mb; i++) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return { file, size: mb * 1024 * 1024, digest: `sha256:${hash.digest('hex')}` };
}

/** Peak resident memory above the level when it started, in MiB, while `work` runs. */
async function peakGrowth(work) {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, growthMb: (Math.max(peak, process.memoryUsage().rss) - base) / 1024 / 1024 };
}

const users = { bench: 'bench-secret' };
const [a, b] = await Promise.all([startRegistry({ kind: 'htpasswd', users }), startRegistry({ kind: 'htpasswd', users })]);
try {
  const login = { username: 'bench', secret: 'bench-secret' };
  const from = new RegistryClient(a.host, login);
  const to = new RegistryClient(b.host, login);
  console.log(`stream copy between two registries (node ${process.version}):`);
  for (const [name, mb] of [
    ['small', 16],
    ['large', LARGE_MB],
  ]) {
    const blob = await blobFile(name, mb);
    const upload = await peakGrowth(() => from.uploadBlob('bench/source', blob.digest, blob.size, () => createReadStream(blob.file)));
    rmSync(blob.file);
    const { seconds, growthMb } = await peakGrowth(() =>
      streamBlob(from, 'bench/source', { mediaType: 'application/octet-stream', digest: blob.digest, size: blob.size }, to, 'bench/target'),
    );
    if (!(await to.blobExists('bench/target', blob.digest))) throw new Error(`the ${name} blob did not arrive`);
    const line = (what, r) =>
      `  ${String(mb).padStart(5)} MiB ${what}: ${r.seconds.toFixed(1)} s, ${(mb / r.seconds).toFixed(0)} MiB/s, resident memory +${r.growthMb.toFixed(0)} MiB at most`;
    console.log(line('from a file (for comparison)', upload));
    console.log(line('registry to registry', { seconds, growthMb }));
  }
} finally {
  await Promise.all([a.stop(), b.stop()]);
  rmSync(scratch, { recursive: true, force: true });
}
