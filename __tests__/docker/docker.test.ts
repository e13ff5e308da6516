import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../__fixtures__/temp-dir.js';
import { type BuildSpec, buildArgs, createDocker, isTransientPushFailure } from '../../src/docker/docker.js';
import { ActionError } from '../../src/runner/errors.js';

const spec: BuildSpec = {
  context: 'ctx',
  file: 'ctx/Dockerfile',
  references: ['ghcr.io/acme/w:1', 'ghcr.io/acme/w:latest'],
  buildArgs: ['A=1'],
  labels: { 'org.opencontainers.image.source': 'https://github.com/acme/w' },
  annotations: [],
  target: 'runtime',
  platforms: [],
  secretFiles: [{ id: 'npm', path: '/tmp/run/secrets/npm' }],
  provenance: false,
  output: { kind: 'load' },
};

describe('the build command line', () => {
  it('with buildx: tags, args, labels, target, secret files by path, no provenance, loaded', () => {
    expect(buildArgs(spec, true)).toEqual([
      'buildx',
      'build',
      '--file',
      'ctx/Dockerfile',
      '--tag',
      'ghcr.io/acme/w:1',
      '--tag',
      'ghcr.io/acme/w:latest',
      '--build-arg',
      'A=1',
      '--label',
      'org.opencontainers.image.source=https://github.com/acme/w',
      '--target',
      'runtime',
      '--secret',
      'id=npm,src=/tmp/run/secrets/npm',
      '--provenance=false',
      '--load',
      'ctx',
    ]);
  });

  it('writes an OCI layout with timestamps rewritten to SOURCE_DATE_EPOCH, with a builder of its own and the cache', () => {
    const args = buildArgs(
      {
        ...spec,
        references: [],
        builder: 'ghcr-publish-1',
        epoch: 1700000000,
        output: { kind: 'oci', dir: '/t/ghcr-publish-build-x', rewriteTimestamps: true },
        cacheFrom: 'type=local,src=/c',
        cacheTo: 'type=local,dest=/c.next,mode=max',
      },
      true,
    );
    expect(args.slice(0, 4)).toEqual(['buildx', 'build', '--builder', 'ghcr-publish-1']);
    expect(args.join(' ')).toContain('--build-arg A=1 --build-arg SOURCE_DATE_EPOCH=1700000000');
    expect(args.join(' ')).toContain(
      '--cache-from type=local,src=/c --cache-to type=local,dest=/c.next,mode=max --provenance=false --output type=oci,dest=/t/ghcr-publish-build-x,tar=false,rewrite-timestamp=true ctx',
    );
    expect(args).not.toContain('--load');
  });

  it('annotates the index of a multi-platform image and a platform job image', () => {
    const args = buildArgs(
      {
        ...spec,
        platforms: ['linux/amd64', 'linux/arm64'],
        annotations: ['index:org.opencontainers.image.source=https://github.com/acme/w', 'manifest:io.github.ghcr-publish.by-digest=true'],
      },
      true,
    );
    expect(args).toContain('linux/amd64,linux/arm64');
    expect(args.join(' ')).toContain(
      '--annotation index:org.opencontainers.image.source=https://github.com/acme/w --annotation manifest:io.github.ghcr-publish.by-digest=true',
    );
  });

  it('with the classic builder: only what it understands (no SOURCE_DATE_EPOCH, which it would not consume)', () => {
    expect(buildArgs({ ...spec, secretFiles: [], epoch: 1 }, false)).toEqual([
      'build',
      '--file',
      'ctx/Dockerfile',
      '--tag',
      'ghcr.io/acme/w:1',
      '--tag',
      'ghcr.io/acme/w:latest',
      '--build-arg',
      'A=1',
      '--label',
      'org.opencontainers.image.source=https://github.com/acme/w',
      '--target',
      'runtime',
      'ctx',
    ]);
  });

  it('with cache: false, --no-cache for either builder, so not even its own cache is used', () => {
    expect(buildArgs({ ...spec, noCache: true }, true)).toContain('--no-cache');
    expect(buildArgs({ ...spec, secretFiles: [], noCache: true }, false)).toContain('--no-cache');
    expect(buildArgs(spec, true)).not.toContain('--no-cache');
  });
});

describe('which failed pushes are tried again', () => {
  it.each([
    ['received unexpected HTTP status: 503 Service Unavailable', true],
    ['toomanyrequests: retry later (429)', true],
    ['Put "http://127.0.0.1:5000/v2/a/blobs/uploads/x": read: connection reset by peer', true],
    ['error parsing HTTP 502 response body', true],
    ['unexpected EOF', true],
    ['net/http: TLS handshake timeout', true],
    ['denied: permission_denied: write_package', false],
    ['unauthorized: authentication required (401)', false],
    ['403 Forbidden', false],
    // GitHub throttles pushes with a 403 (markrussinovich/refchecker#67): a wait, not a refusal.
    ['denied: You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', true],
    ['unexpected status from PUT request: 429 Too Many Requests: toomanyrequests: retry-after: 10.3ms, allowed: 2000/minute', true],
    ['An image does not exist locally with the tag: x', false],
  ])('%s → %s', (output, transient) => {
    expect(isTransientPushFailure(output)).toBe(transient);
  });
});

/**
 * A push through a docker that fails as a cut upload does (`unexpected EOF`) after `seconds`, with
 * the registry's time limit `uploadLimitMs`: the error, and how many times docker was run.
 */
async function failingPush(seconds: number, uploadLimitMs: number): Promise<{ error: ActionError; runs: number }> {
  const dir = tempDir('docker-push-');
  const script = `#!/bin/sh\necho x >> '${dir}/calls'\nsleep ${seconds}\necho 'unexpected EOF' >&2\nexit 1\n`;
  writeFileSync(path.join(dir, 'docker'), script, { mode: 0o755 });
  const retry = { attempts: 3, uploadLimitMs, delayMs: () => 0, sleep: async () => undefined, onRetry: () => undefined };
  const { docker } = createDocker({ PATH: `${dir}:${process.env.PATH}` }, retry);
  const written = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const error = await docker.push('ghcr.io/acme/w:main').then(
    () => {
      throw new Error('the push passed');
    },
    (e: unknown) => e as ActionError,
  );
  written.mockRestore();
  return { error, runs: readFileSync(path.join(dir, 'calls'), 'utf8').split('\n').length - 1 };
}

describe('a push the registry cut at its upload time limit', () => {
  it('is not tried again, and says why and what to do', async () => {
    const { error, runs } = await failingPush(0.2, 100);
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toMatch(/ends an upload after 0 minutes.*not retried\. unexpected EOF/);
    expect(error.fix).toMatch(/Split what that layer holds over several COPY or RUN steps/);
    expect(runs).toBe(1);
  });

  it('a failure well within the limit is tried again as before', async () => {
    const { error, runs } = await failingPush(0, 60_000);
    expect(error.message).toMatch(/after 3 attempts/);
    expect(runs).toBe(3);
  });
});
