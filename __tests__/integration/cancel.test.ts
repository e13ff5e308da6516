import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasTag } from '../support/inspect.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type GitHub, Runner } from '../support/runner.js';

// A job cancelled mid-build: the runner sends SIGINT, then SIGTERM; the post step runs after.
const TOKEN = 'ghs_cancelTestToken0123456789abcdefg';

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry({ kind: 'htpasswd', users: { 'octo-bot': TOKEN } });
});
afterAll(() => registry.stop());

const buildsRunning = (marker: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('buildx build') && l.includes(marker));

describe('a main step cancelled mid-build, then its post step', () => {
  it('stops the build, fails, and the post step leaves nothing of the run behind', async () => {
    const runner = new Runner();
    const marker = `cancel-${Date.now()}`;
    copyFileSync('/bin/busybox', path.join(runner.workspace, 'busybox'));
    writeFileSync(
      path.join(runner.workspace, 'Dockerfile'),
      `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "sleep 60; echo ${marker} > /built"]\n`,
    );
    const github: GitHub = { repository: 'acme/cancelled', actor: 'octo-bot', token: TOKEN, ref: 'refs/heads/main' };
    const inputs = { registry: registry.host, tags: marker, secrets: 'token=s3cret-value', labels: `run=${marker}` };
    const main = await runner.main(github, inputs, {}, { when: /RUN \["\/bin\/busybox"/, signals: ['SIGINT', 'SIGTERM'] });
    expect(main.exitCode).not.toBe(0);
    expect(main.seconds).toBeLessThan(30);
    expect(main.stdout).toContain('Cancelled (SIGINT)');
    expect(main.state.configDir).toBeTruthy();
    expect(main.state.secretsDir).toBeTruthy();
    expect(buildsRunning(marker)).toEqual([]);

    const post = await runner.post(github, inputs, main.state);
    expect(post.exitCode).toBe(0);
    expect(readdirSync(runner.temp)).toEqual([]);
    expect(await hasTag(`${registry.host}/acme/cancelled:${marker}`, `octo-bot:${TOKEN}`)).toBe(false);
  });
});
