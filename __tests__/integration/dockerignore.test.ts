import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { contextEntries } from '../../src/docker/context-hash.js';
import { tempDir } from '../../__fixtures__/temp-dir.js';

// The cache key hashes what BuildKit sends of the context: checked here against BuildKit itself.
const run = promisify(execFile);

interface Case {
  files: string[];
  ignore?: string;
  /** `<Dockerfile>.dockerignore`, beside a Dockerfile outside the context. */
  own?: string;
}

const cases: Record<string, Case> = {
  "docker's documentation examples": {
    files: [
      'somedir/temporary.txt',
      'somedir/keep.txt',
      'somedir/subdir/temporary.txt',
      'tempa',
      'temp',
      'README.md',
      'CHANGES.md',
      'docs/guide.md',
      'main.go',
      'pkg/x/y.go',
    ],
    ignore: '# comment\n*/temp*\n*/*/temp*\ntemp?\n**/*.go\n*.md\n!README.md\n',
  },
  'excluded directories and exceptions inside them': {
    files: [
      'vendor/keep.txt',
      'vendor/other.txt',
      'vendor/sub/a.txt',
      'node_modules/p/i.js',
      'logs/a.log',
      'logs/keep/x',
      'src/node_modules/y',
      'empty/',
    ],
    ignore: 'vendor\n!vendor/keep.txt\n/node_modules/\n./logs\n!logs/keep/**\n',
  },
  'an exception with a wildcard': {
    files: ['cache/a/b.keep', 'cache/a/c.tmp', 'src/d.keep', 'src/e.txt', 'e.txt'],
    ignore: 'cache\n!**/*.keep\n*/e.txt\n',
  },
  'everything but one directory': {
    files: ['src/a.ts', 'src/b/c.tmp', 'docs/x.md', 'top.txt', 'sr'],
    ignore: '*\n!src\nsrc/**/*.tmp\n',
  },
  "the Dockerfile's own ignore file": {
    files: ['a.txt', 'b.txt'],
    ignore: 'a.txt\n',
    own: 'b.txt\n.dockerignore\n',
  },
};

/** Every path under `dir`, relative, directories included. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const name = `${prefix}${d.name}`;
    return d.isDirectory() ? [name, ...tree(path.join(dir, d.name), `${name}/`)] : [name];
  });
}

describe('the context the key hashes', () => {
  it.each(Object.entries(cases))('is what BuildKit sends: %s', async (_, c) => {
    const root = tempDir('dockerignore-');
    const context = path.join(root, 'context');
    for (const name of c.files) {
      const file = path.join(context, name);
      mkdirSync(name.endsWith('/') ? file : path.dirname(file), { recursive: true });
      if (!name.endsWith('/')) writeFileSync(file, name);
    }
    if (c.ignore !== undefined) writeFileSync(path.join(context, '.dockerignore'), c.ignore);
    const dockerfile = path.join(root, 'docker', 'Dockerfile');
    mkdirSync(path.dirname(dockerfile));
    writeFileSync(dockerfile, 'FROM scratch\nCOPY . /\n');
    if (c.own !== undefined) writeFileSync(`${dockerfile}.dockerignore`, c.own);

    const out = path.join(root, 'out');
    await run('docker', ['buildx', 'build', '--quiet', '--file', dockerfile, '--output', `type=local,dest=${out}`, context]);
    const sent = tree(out).sort();

    const entries = await contextEntries({ context, file: dockerfile });
    // BuildKit also creates the directories holding a re-included file.
    const withParents = new Set(entries.flatMap((e) => e.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
    rmSync(root, { recursive: true, force: true });
    expect([...withParents].sort()).toEqual(sent);
  });
});
