import { describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BuildSource, type ContextReader, contextHash, fsReader } from '../../src/docker/context-hash.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

/** A build context holding these files (a null content makes a directory). */
function contextDir(files: Record<string, string | null>): string {
  const dir = tempDir('context-hash-');
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string | null>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(content === null ? file : path.dirname(file), { recursive: true });
    if (content !== null) writeFileSync(file, content);
  }
}

const source = (dir: string, over: Partial<BuildSource> = {}): BuildSource => ({
  context: dir,
  file: path.join(dir, 'Dockerfile'),
  buildArgs: [],
  target: '',
  platforms: [],
  ...over,
});

/** The hash before and after `change` is applied to a context made of `files` (and a link to src/app.txt). */
async function before(files: Record<string, string | null>, change: (dir: string) => void): Promise<[string, string]> {
  const dir = contextDir(files);
  symlinkSync('src/app.txt', path.join(dir, 'link'));
  const first = await contextHash(source(dir));
  change(dir);
  return [first, await contextHash(source(dir))];
}

const app = { Dockerfile: 'FROM scratch\nCOPY . /app\n', 'src/app.txt': 'v1', '.dockerignore': 'node_modules\n*.log\n' };

describe('the context hash', () => {
  it('is the same for the same files anywhere, and is not affected by .git', async () => {
    const a = contextDir({ ...app, '.git/HEAD': 'ref: refs/heads/main' });
    const b = contextDir({ ...app, '.git/HEAD': 'ref: refs/heads/other' });
    expect(await contextHash(source(a))).toMatch(/^[0-9a-f]{32}$/);
    expect(await contextHash(source(b))).toBe(await contextHash(source(a)));
  });

  it.each<[string, (dir: string) => void]>([
    ['an ignored file changes', (d) => write(d, { 'node_modules/pkg/index.js': 'changed', 'debug.log': 'more' })],
    ['an ignored file appears', (d) => write(d, { 'node_modules/new/file.js': 'x' })],
    ['a file is touched', (d) => utimesSync(path.join(d, 'src/app.txt'), 1, 1)],
  ])('stays when %s', async (_, change) => {
    const [first, second] = await before({ ...app, 'node_modules/pkg/index.js': 'v1' }, change);
    expect(second).toBe(first);
  });

  it.each<[string, (dir: string) => void]>([
    ['a file the build can read changes', (d) => write(d, { 'src/app.txt': 'v2' })],
    ['a file is renamed', (d) => (rmSync(path.join(d, 'src/app.txt')), write(d, { 'src/main.txt': 'v1' }))],
    ['an empty directory appears', (d) => write(d, { 'src/empty': null })],
    ['a file becomes executable', (d) => chmodSync(path.join(d, 'src/app.txt'), 0o755)],
    ['a symbolic link points elsewhere', (d) => (rmSync(path.join(d, 'link')), symlinkSync('src/other', path.join(d, 'link')))],
    ['the Dockerfile changes', (d) => write(d, { Dockerfile: 'FROM scratch\n' })],
    ['the .dockerignore changes', (d) => write(d, { '.dockerignore': 'node_modules\n' })],
  ])('changes when %s', async (_, change) => {
    const [first, second] = await before({ ...app }, change);
    expect(second).not.toBe(first);
  });

  it.each<[string, (dir: string) => void]>([
    ['the Dockerfile', (d) => write(d, { Dockerfile: 'FROM busybox\n' })],
    ['the .dockerignore', (d) => write(d, { '.dockerignore': 'Dockerfile\n.dockerignore\n*.tmp\n' })],
  ])('changes when %s changes, even when it excludes itself', async (_, change) => {
    const [first, second] = await before({ ...app, '.dockerignore': 'Dockerfile\n.dockerignore\n' }, change);
    expect(second).not.toBe(first);
  });

  it('changes with the build arguments, the target and the platforms', async () => {
    const dir = contextDir(app);
    const hashes = await Promise.all(
      [{}, { buildArgs: ['A=1'] }, { target: 'test' }, { platforms: ['linux/arm64'] }, { file: path.join(dir, 'src/app.txt') }].map(
        (over) => contextHash(source(dir, over)),
      ),
    );
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('follows exceptions that re-include files inside an excluded directory', async () => {
    const files = {
      ...app,
      '.dockerignore': 'logs\n!logs/keep.txt\ncache\n!**/*.keep\n',
      'logs/keep.txt': '1',
      'logs/other.txt': '1',
      'cache/a/b.keep': '1',
      'cache/a/c.tmp': '1',
    };
    for (const [file, counts] of [
      ['logs/keep.txt', true],
      ['logs/other.txt', false],
      ['cache/a/b.keep', true],
      ['cache/a/c.tmp', false],
    ] as const) {
      const [first, second] = await before(files, (d) => write(d, { [file]: '2' }));
      expect([file, second !== first]).toEqual([file, counts]);
    }
  });

  it("uses the Dockerfile's own ignore file instead of the context's", async () => {
    const files = { ...app, '.dockerignore': 'a.txt\n', 'Dockerfile.dockerignore': 'b.txt\n', 'a.txt': '1', 'b.txt': '1' };
    const [a1, a2] = await before(files, (d) => write(d, { 'a.txt': '2' }));
    const [b1, b2] = await before(files, (d) => write(d, { 'b.txt': '2' }));
    expect(a2).not.toBe(a1);
    expect(b2).toBe(b1);
    // Beside a Dockerfile elsewhere, named after it.
    const dir = contextDir({
      ...app,
      'docker/app.Dockerfile': 'FROM scratch\n',
      'docker/app.Dockerfile.dockerignore': 'b.txt\n',
      'b.txt': '1',
    });
    const own = source(dir, { file: path.join(dir, 'docker/app.Dockerfile') });
    const first = await contextHash(own);
    write(dir, { 'b.txt': '2' });
    expect(await contextHash(own)).toBe(first);
  });
});

describe('an excluded directory', () => {
  /** The hash of a context with a 300-file ignored tree, and every path the hash listed or read. */
  async function reads(ignore: string): Promise<string[]> {
    const tree = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`big/d${i % 10}/f${i}.bin`, String(i)]));
    const dir = contextDir({ ...app, ...tree, '.dockerignore': ignore });
    const seen: string[] = [];
    const reader: ContextReader = {
      list: (d) => (seen.push(path.relative(dir, d)), fsReader.list(d)),
      digest: (f) => (seen.push(path.relative(dir, f)), fsReader.digest(f)),
      link: (f) => (seen.push(path.relative(dir, f)), fsReader.link(f)),
      read: (f) => fsReader.read(f),
    };
    await contextHash(source(dir), reader);
    return seen;
  }

  it('is neither listed nor read', async () => {
    const seen = await reads('big\n');
    expect(seen).toContain('src/app.txt');
    expect(seen.filter((p) => p.startsWith('big'))).toEqual([]);
  });

  it('is listed, and only its re-included files read, when an exception points inside it', async () => {
    const seen = await reads('big\n!big/d3/f3.bin\n');
    expect(seen.filter((p) => p.startsWith('big'))).toEqual(['big', 'big/d3', 'big/d3/f3.bin']);
  });
});
