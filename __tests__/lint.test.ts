import { expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './support/runner.js';

// A test that cannot run must not pass quietly: lint fails on a skipped, focused, commented-out or
// assertion-free test, and on any warning at all.
it('lint refuses it.skip and the like in tests, and every warning', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const config = (await eslint.calculateConfigForFile(path.join(ROOT, '__tests__/lint.test.ts'))) as { rules: Record<string, unknown[]> };
  for (const rule of ['jest/no-disabled-tests', 'jest/no-focused-tests', 'jest/no-commented-out-tests', 'jest/expect-expect']) {
    expect([rule, config.rules[rule]?.[0]]).toEqual([rule, 2]);
  }
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(scripts.lint).toMatch(/\beslint \. --max-warnings 0\b/);
});
