import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './support/runner.js';

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  runs: Record<string, string>;
};
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The first-column names of the README table under `heading`. */
function tableNames(heading: string): string[] {
  const section = readme.split(`## ${heading}\n`)[1].split('\n## ')[0];
  return [...section.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]);
}

function contractNames(heading: string): string[] {
  const contract = readFileSync(path.join(ROOT, '../shared/docs/interface.md'), 'utf8');
  const section = contract.split(`## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]);
}

describe('action.yml', () => {
  it('runs on node24 with a post step that always runs', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' });
  });

  it("declares the README's inputs and outputs, in the same order", () => {
    expect(Object.keys(action.inputs)).toEqual(tableNames('Inputs'));
    expect(Object.keys(action.outputs)).toEqual(tableNames('Outputs'));
  });

  it('declares every input and output of the contract', () => {
    for (const name of contractNames('Inputs')) expect(Object.keys(action.inputs)).toContain(name);
    for (const name of contractNames('Outputs')) expect(Object.keys(action.outputs)).toContain(name);
  });
});
