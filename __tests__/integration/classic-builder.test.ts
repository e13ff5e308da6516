import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { rawManifest } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner } from '../support/runner.js';

const TOKEN = 'ghs_classicBuilderToken00001';
const github: GitHub = { repository: 'Acme/Widget', actor: 'octo-bot', token: TOKEN, ref: 'refs/tags/v2.0.0' };
const runner = new Runner({ buildx: false });
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
  writeFileSync(path.join(runner.workspace, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(runner.workspace, 'hello.txt'), `classic ${randomUUID()}\n`);
});
afterAll(() => registry.stop());

describe('a machine without the buildx plugin', () => {
  it('publishes with the classic builder, and says the cache needs buildx', async () => {
    const step = await runner.main(github, { registry: registry.host, image: 'classic' });
    expect(step.exitCode).toBe(0);
    expect(step.dockerCalls.some((c) => c.startsWith('build --file'))).toBe(true);
    expect(step.stdout).toContain('::notice::cache: Only the classic builder is installed');
    expect((await rawManifest(`${registry.host}/acme/classic:2.0.0`, `octo-bot:${TOKEN}`)).digest).toBe(step.outputs.digest);
  });

  it.each([
    ['platforms', { platforms: 'linux/amd64,linux/arm64' }],
    ['secrets', { secrets: 'npm=abc' }],
    ['provenance', { provenance: 'true' }],
  ])('refuses %s, which only BuildKit honours, before logging in or building', async (input, inputs) => {
    const step = await runner.main(github, { registry: registry.host, image: 'classic', ...inputs });
    expect(step.exitCode).toBe(1);
    expect(step.stdout).toContain(`::error::Input '${input}': Only the classic builder is installed`);
    // Only the read-only questions about the builder and the engine's image store, asked side by side.
    expect(step.dockerCalls.filter((c) => !c.startsWith('buildx inspect') && !c.startsWith('info '))).toEqual([]);
  });
});
