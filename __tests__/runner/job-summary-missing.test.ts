import { expect, it } from '@jest/globals';
import * as toolkit from '@actions/core';
import { core as ours } from '../../src/runner/index.js';

// A file of its own: @actions/core remembers the summary file once it has written to one, so in
// workflow-commands.test.ts this would hold only when it ran first.
it('no summary file: the same error as @actions/core', async () => {
  const saved = process.env.GITHUB_STEP_SUMMARY;
  delete process.env.GITHUB_STEP_SUMMARY;
  try {
    const thrown = (core: typeof ours) =>
      core.summary
        .addRaw('x')
        .write()
        .then(
          () => 'nothing thrown',
          (e: Error) => `${e.name}: ${e.message}`,
        );
    const mine = await thrown(ours);
    expect(mine).toBe(await thrown(toolkit as unknown as typeof ours));
    expect(mine).toMatch(/GITHUB_STEP_SUMMARY/);
  } finally {
    ours.summary.emptyBuffer();
    toolkit.summary.emptyBuffer();
    if (saved !== undefined) process.env.GITHUB_STEP_SUMMARY = saved;
  }
});
