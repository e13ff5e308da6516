import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diskFullFix } from '../../src/docker/disk-full.js';

const ENOSPC = 'ERROR: failed to solve: failed to copy: write /tmp/t/ghcr-publish-build-x/blobs/sha256/ab: no space left on device';

describe('a build that ran out of disk', () => {
  it('names where it was writing, the room left there, and the ways out', () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'disk-full-'));
    const fix = diskFullFix(ENOSPC, path.join(temp, 'ghcr-publish-build-x'))!;
    expect(fix).toContain(`writes the compressed image to ${path.join(temp, 'ghcr-publish-build-x')} (under RUNNER_TEMP; `);
    expect(fix).toMatch(/; (\d+\.\d GB|\d+ MB) free now\)/);
    expect(fix).toContain('/usr/share/dotnet');
    expect(fix).toContain('set reproducible: false');
  });

  it('without a layout (the engine loads or pushes): the ways out only', () => {
    const fix = diskFullFix('failed to register layer: No space left on device')!;
    expect(fix).toMatch(/^The runner's disk is full\. Free space before this step/);
    expect(fix).not.toContain('writes the compressed image');
  });

  it('any other failure: nothing to add', () => {
    expect(diskFullFix('ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2')).toBeUndefined();
  });
});
