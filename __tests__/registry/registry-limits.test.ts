import { describe, expect, it } from '@jest/globals';
import { cutByTimeLimit, refuseOversized, registryLimits } from '../../src/registry/registry-limits.js';

const GB = 1e9;

describe("registries' documented limits", () => {
  it.each([
    ['ghcr', { layerBytes: 10 * GB, uploadMs: 600_000 }],
    ['docker-pkg', { layerBytes: 5 * GB }],
    ['generic', {}],
  ] as const)('%s', (type, limits) => {
    expect(registryLimits(type)).toEqual(limits);
  });

  it('a layer over the limit is refused with its size, the limit and what to do; others pass', () => {
    const layers = [
      { digest: 'sha256:aa', size: 4 * GB },
      { digest: 'sha256:bb', size: 10.5 * GB },
    ];
    expect(() => refuseOversized('ghcr.io', registryLimits('ghcr'), layers)).toThrow(
      /^the layer sha256:bb is 10\.50 GB, and ghcr\.io takes at most 10\.00 GB a layer\. Nothing was pushed\. Split what that layer holds/,
    );
    expect(() => refuseOversized('docker.example.com', registryLimits('docker-pkg'), layers.slice(0, 1))).not.toThrow();
    expect(() => refuseOversized('registry.example.com', registryLimits('generic'), layers)).not.toThrow();
  });

  it('an upload that failed near the time limit is told as cut there, with the rate it had; an earlier failure is not', () => {
    const limits = registryLimits('ghcr');
    expect(cutByTimeLimit('ghcr.io', limits, 'sha256:cc', 6 * GB, 120_000)).toBeUndefined();
    expect(cutByTimeLimit('ghcr.io', limits, 'sha256:cc', 6 * GB, 600_000)?.message).toMatch(
      /^the upload of sha256:cc \(6\.00 GB\) was ended after 10 minutes: ghcr\.io ends an upload after 10 minutes, and at this runner's 10\.0 MB\/s the layer needs about 10 minutes\. .*not retried\./,
    );
    expect(cutByTimeLimit('registry.example.com', registryLimits('generic'), 'sha256:cc', 6 * GB, 3_600_000)).toBeUndefined();
  });
});
