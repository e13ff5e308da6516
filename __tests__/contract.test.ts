import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './support/runner.js';

// The README and action.yml are the contract users read and the runner reads: each is checked
// against the other, and nothing outside the repository is read.
const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string | boolean | number }>;
  outputs: Record<string, unknown>;
  runs: Record<string, string>;
};
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The rows of the README table under `## heading`: first column's name, second column's text. */
function tableRows(heading: string): { name: string; second: string }[] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([\w-]+)` \| (.*?) \|/gm)].map((m) => ({ name: m[1], second: m[2].trim() }));
}

/**
 * The default a README cell states literally: `empty` is '', one backticked value is that value.
 * Prose ("derived from the git ref"), a placeholder (`<context>/Dockerfile`) or another input's
 * name (`username`) say how the action works the default out, not what action.yml holds.
 */
function literalDefault(cell: string): string | undefined {
  if (cell === 'empty') return '';
  const m = cell.match(/^`([^`]*)`$/);
  if (!m || /[<>]/.test(m[1]) || m[1] in action.inputs) return undefined;
  return m[1];
}

describe('action.yml', () => {
  it('runs on node24, a bundle for each step, with a post step that always runs', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/main/index.js', post: 'dist/post/index.js', 'post-if': 'always()' });
  });

  it("declares the README's inputs and outputs, in the same order", () => {
    expect(tableRows('Inputs').length).toBeGreaterThan(0);
    expect(tableRows('Outputs').length).toBeGreaterThan(0);
    expect(Object.keys(action.inputs)).toEqual(tableRows('Inputs').map((r) => r.name));
    expect(Object.keys(action.outputs)).toEqual(tableRows('Outputs').map((r) => r.name));
  });

  it('holds the default the README states for each input', () => {
    const stated = tableRows('Inputs').flatMap((r) => {
      const value = literalDefault(r.second);
      return value === undefined ? [] : [[r.name, value]];
    });
    expect(stated.length).toBeGreaterThan(10);
    const declared = stated.map(([name]) => [name, String(action.inputs[name]?.default ?? '')]);
    expect(declared).toEqual(stated);
  });
});

describe('literalDefault', () => {
  it.each([
    ['empty', ''],
    ['`auto`', 'auto'],
    ['`${{ github.token }}`', '${{ github.token }}'],
    ['`.`', '.'],
    ['`<context>/Dockerfile`', undefined],
    ['`username`', undefined],
    ["the repository's name", undefined],
  ])('reads %s as %p', (cell, expected) => {
    expect(literalDefault(cell)).toBe(expected);
  });
});
