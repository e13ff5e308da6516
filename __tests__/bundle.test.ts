import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './support/runner.js';

// What the bundles in dist/ evaluate at start-up (scripts/build.mjs): what only some runs need is
// behind a dynamic import(). Each case runs the pinned Node in a child process.
const NODE = path.join(ROOT, 'node_modules/.bin/node');

function node(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'bundle-test-'));
  try {
    const r = spawnSync(NODE, args, { cwd, env: { PATH: process.env.PATH ?? '', RUNNER_TEMP: cwd, ...env }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
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
const HEAVY = ['child_process', 'crypto', 'http', 'https', 'tls', 'zlib', 'worker_threads', 'assert'];
/** What talks to a registry or GitHub, or unpacks what they send. */
const NETWORK = ['http', 'https', 'tls', 'zlib', 'worker_threads'];

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
    expect(loaded.filter((m) => NETWORK.includes(m))).toEqual([]);
  });
});
