import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rawManifest } from '../../support/inspect.js';
import { type TestRegistry, startRegistry } from '../../support/registry.js';
import { type GitHub, Runner, type StepResult } from '../../support/runner.js';

const TOKEN = 'ghs_bigLayerTestToken0000001';
const CREDS = `octo-bot:${TOKEN}`;
const LAYER_BYTES = 300 * 1024 * 1024;
const github: GitHub = { repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };

const runner = new Runner();
const context = path.join(runner.workspace, 'big');
const registries: TestRegistry[] = [];

/** 300 MiB of random data: a layer that does not compress, written without holding it in memory. */
beforeAll(async () => {
  mkdirSync(context);
  copyFileSync('/bin/busybox', path.join(context, 'busybox'));
  const out = createWriteStream(path.join(context, 'data.bin'));
  for (let left = LAYER_BYTES; left > 0; left -= 4 << 20) {
    if (!out.write(randomBytes(Math.min(left, 4 << 20)))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY data.bin /data.bin\n');
}, 60_000);
afterAll(async () => {
  // What the engine's pushes named after this file's registries (reproducible: false loads the image).
  const named = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })
    .split('\n')
    .filter((ref) => registries.some((r) => ref.startsWith(`${r.host}/`)));
  if (named.length > 0) execFileSync('docker', ['image', 'rm', ...named], { stdio: 'ignore' });
  await Promise.all(registries.map((r) => r.stop()));
  rmSync(runner.dir, { recursive: true, force: true });
});

interface Layer {
  digest: string;
  size: number;
}

/** The blob as the registry serves it: its length and the sha256 of its bytes, read as a stream. */
async function served(registry: TestRegistry, digest: string): Promise<{ size: number; digest: string }> {
  const res = await fetch(`${registry.url}/v2/acme/widget/blobs/${digest}`, {
    headers: { Authorization: `Basic ${Buffer.from(CREDS).toString('base64')}` },
  });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, digest: `sha256:${hash.digest('hex')}` };
}

describe.each([
  ['inputs at their defaults: the layout, uploaded by the action', {}],
  ['reproducible: false: pushed by the engine', { reproducible: 'false' }],
])('a 300 MiB layer, %s', (_what, inputs) => {
  let registry: TestRegistry;
  let steps: StepResult[];
  beforeAll(async () => {
    registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
    registries.push(registry);
    const all = { registry: registry.host, ...inputs, context };
    const main = await runner.main(github, all);
    steps = [main, await runner.post(github, all, main.state)];
  }, 600_000);

  it('is held under every tag with the reported digest, its layer whole: the size and digest the manifest says', async () => {
    expect(steps.map((s) => s.exitCode)).toEqual([0, 0]);
    const digest = steps[0].outputs.digest;
    const manifest = await rawManifest(`${registry.host}/acme/widget:main`, CREDS);
    expect(manifest.digest).toBe(digest);
    expect((await rawManifest(`${registry.host}/acme/widget:sha-0123456`, CREDS)).digest).toBe(digest);
    const layers = (manifest.json as { layers: Layer[] }).layers;
    const big = layers.find((l) => l.size > LAYER_BYTES);
    expect(big).toBeDefined();
    // Random data does not compress: the layer is the file and its tar headers.
    expect(big?.size).toBeLessThan(LAYER_BYTES * 1.01);
    for (const layer of layers) expect(await served(registry, layer.digest)).toEqual({ size: layer.size, digest: layer.digest });
  }, 120_000);
});
