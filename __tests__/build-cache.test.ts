import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings } from '../__fixtures__/settings.js';
import { cachePlan, rotate } from '../src/build-cache.js';

function contextDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cache-ctx-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const plan = (dir: string, over = {}) => cachePlan(settings({ context: dir, file: path.join(dir, 'Dockerfile'), ...over }), '/runner/temp');

describe('cache keys', () => {
  it('are the same for the same context, and differ when a file, a build arg or the platforms change', async () => {
    const a = contextDir({ Dockerfile: 'FROM scratch\n', 'src/app.txt': '1' });
    const b = contextDir({ Dockerfile: 'FROM scratch\n', 'src/app.txt': '1' });
    const c = contextDir({ Dockerfile: 'FROM scratch\n', 'src/app.txt': '2' });
    const key = (await plan(a)).key;
    expect((await plan(b)).key).toBe(key);
    expect((await plan(c)).key).not.toBe(key);
    expect((await plan(a, { buildArgs: ['A=1'] })).key).not.toBe(key);
    expect((await plan(a, { platforms: ['linux/amd64', 'linux/arm64'] })).key).toMatch(/^ghcr-publish-acme-widget-linux-amd64\+linux-arm64-/);
  });

  it('ignore .git, restore the newest of the same image, and keep one path per image', async () => {
    const a = contextDir({ Dockerfile: 'FROM scratch\n', '.git/HEAD': 'ref: main' });
    const b = contextDir({ Dockerfile: 'FROM scratch\n', '.git/HEAD': 'ref: other' });
    const p = await plan(a);
    expect((await plan(b)).key).toBe(p.key);
    expect(p.restoreKeys).toEqual(['ghcr-publish-acme-widget-native-']);
    expect(p.dir).toMatch(/^\/runner\/temp\/ghcr-publish-cache-[0-9a-f]{12}$/);
    expect((await plan(b)).dir).toBe(p.dir);
  });
});

describe('rotation', () => {
  it('replaces the restored cache with the one the build wrote', () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'rotate-'));
    const p = { dir: path.join(base, 'c'), next: path.join(base, 'c.next'), key: 'k', restoreKeys: [] };
    mkdirSync(p.dir);
    writeFileSync(path.join(p.dir, 'old'), 'old');
    mkdirSync(p.next);
    writeFileSync(path.join(p.next, 'new'), 'new');
    rotate(p);
    expect(existsSync(path.join(p.dir, 'old'))).toBe(false);
    expect(readFileSync(path.join(p.dir, 'new'), 'utf8')).toBe('new');
    expect(existsSync(p.next)).toBe(false);
  });
});
