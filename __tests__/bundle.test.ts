import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './support/runner.js';

// What the bundles in dist/ evaluate at start-up (scripts/build.mjs), and the stand-ins for Node's
// built-in modules that let them defer the rest. Each case runs the pinned Node in a child process.
const NODE = path.join(ROOT, 'node_modules/.bin/node');

function node(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'bundle-test-'));
  const r = spawnSync(NODE, args, { cwd, env: { PATH: process.env.PATH ?? '', RUNNER_TEMP: cwd, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The built-in modules a step loaded, beyond those Node had loaded before it ran. */
function modulesLoaded(step: 'main' | 'post'): { status: number | null; stdout: string; loaded: string[] } {
  const tracer =
    'const start = new Set(process.moduleLoadList); process.on("exit", () => process.stderr.write("LOADED " + ' +
    'process.moduleLoadList.filter((m) => !start.has(m) && m.startsWith("NativeModule ")).map((m) => m.slice(13)).join(" ")));';
  const r = node(['--import', `data:text/javascript,${encodeURIComponent(tracer)}`, path.join(ROOT, `dist/${step}/index.js`)]);
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? '';
  return { status: r.status, stdout: r.stdout, loaded: line.slice('LOADED '.length).split(' ') };
}

/** Modules no step needs before it does something that calls for them. */
const HEAVY = ['child_process', 'crypto', 'http', 'https', 'tls', 'zlib', 'worker_threads', 'internal/fs/promises', 'assert'];

describe('the bundled steps at start-up', () => {
  it('a post step with nothing to clean up loads none of the heavy built-in modules', () => {
    const { status, stdout, loaded } = modulesLoaded('post');
    expect(status).toBe(0);
    expect(stdout).toContain('Nothing to clean up');
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((m) => HEAVY.includes(m))).toEqual([]);
  });

  it('a main step that fails on its inputs loads no HTTP, TLS, compression or worker modules', () => {
    const { status, stdout, loaded } = modulesLoaded('main');
    expect(status).toBe(1);
    expect(stdout).toContain('::error');
    expect(loaded.filter((m) => ['http', 'https', 'tls', 'zlib', 'worker_threads', 'internal/fs/promises'].includes(m))).toEqual([]);
  });
});

describe('the stand-ins for built-in modules', () => {
  const helper = pathToFileURL(path.join(ROOT, 'scripts/lazy-builtin.mjs')).href;
  /** Runs an ESM snippet with `lazyModule` and `lazyProxy` in scope; returns what it printed. */
  const run = (code: string) => {
    const r = node(['--input-type=module', '-e', `import { lazyModule, lazyProxy } from '${helper}';\n${code}`]);
    expect(r.stderr).toBe('');
    return r.stdout.trim();
  };

  it('load a module on the first read of one of its names, not before', () => {
    const out = run(`
      const loaded = () => process.moduleLoadList.includes('NativeModule zlib');
      const zlib = lazyModule('node:zlib', ['gunzipSync', 'gzipSync'], false);
      const before = loaded();
      const gzip = typeof zlib.gzipSync;
      console.log(JSON.stringify([before, gzip, loaded(), Object.keys(zlib).includes('gzipSync')]));`);
    expect(JSON.parse(out)).toEqual([false, 'function', true, true]);
  });

  it('pass writes through to the module', () => {
    const out = run(`
      const target = { n: 1 };
      const stub = lazyProxy(() => target, ['n'], false);
      stub.n = 2;
      console.log(target.n);`);
    expect(out).toBe('2');
  });

  it('stand for a class: construct, subclass, instanceof and prototype methods behave as the real one', () => {
    const out = run(`
      const { EventEmitter } = process.getBuiltinModule('node:events');
      const Lazy = lazyProxy(() => EventEmitter, Object.getOwnPropertyNames(EventEmitter), true);
      class Sub extends Lazy {}
      const a = new Lazy();
      const b = new Sub();
      let heard = 0;
      b.on('x', () => heard++);
      b.emit('x');
      console.log(JSON.stringify([a instanceof EventEmitter, b instanceof Lazy, b instanceof Sub, heard]));`);
    expect(JSON.parse(out)).toEqual([true, true, true, 1]);
  });

  it('stand for a callable module: a call reaches it with its arguments', () => {
    const out = run(`
      const assert = lazyProxy(() => process.getBuiltinModule('node:assert'), [], true);
      let threw = false;
      try { assert(false, 'no'); } catch (e) { threw = e.message === 'no'; }
      assert(true);
      console.log(threw);`);
    expect(out).toBe('true');
  });
});
