import { describe, expect, it } from '@jest/globals';
import { type BuildSpec, buildArgs } from '../src/docker.js';

const spec: BuildSpec = {
  context: 'ctx',
  file: 'ctx/Dockerfile',
  references: ['ghcr.io/acme/w:1', 'ghcr.io/acme/w:latest'],
  buildArgs: ['A=1'],
  labels: { 'org.opencontainers.image.source': 'https://github.com/acme/w' },
  annotations: { 'org.opencontainers.image.source': 'https://github.com/acme/w' },
  target: 'runtime',
  platforms: [],
  secretFiles: [{ id: 'npm', path: '/tmp/run/secrets/npm' }],
  provenance: false,
  output: 'load',
};

describe('the build command line', () => {
  it('with buildx: tags, args, labels, target, secret files by path, no provenance, loaded', () => {
    expect(buildArgs(spec, true)).toEqual([
      'buildx', 'build', '--file', 'ctx/Dockerfile',
      '--tag', 'ghcr.io/acme/w:1', '--tag', 'ghcr.io/acme/w:latest',
      '--build-arg', 'A=1',
      '--label', 'org.opencontainers.image.source=https://github.com/acme/w',
      '--target', 'runtime',
      '--secret', 'id=npm,src=/tmp/run/secrets/npm',
      '--provenance=false', '--load', 'ctx',
    ]);
  });

  it('pushes from BuildKit, recording the digest, for a builder of its own', () => {
    const args = buildArgs({ ...spec, builder: 'ghcr-publish-1', output: 'push', metadataFile: '/tmp/m.json', cacheFrom: 'type=local,src=/c', cacheTo: 'type=local,dest=/c.next,mode=max' }, true);
    expect(args.slice(0, 4)).toEqual(['buildx', 'build', '--builder', 'ghcr-publish-1']);
    expect(args.join(' ')).toContain('--cache-from type=local,src=/c --cache-to type=local,dest=/c.next,mode=max --provenance=false --metadata-file /tmp/m.json --push ctx');
  });

  it('annotates the index of a multi-platform image', () => {
    const args = buildArgs({ ...spec, platforms: ['linux/amd64', 'linux/arm64'] }, true);
    expect(args).toContain('linux/amd64,linux/arm64');
    expect(args).toContain('index:org.opencontainers.image.source=https://github.com/acme/w');
  });

  it('with the classic builder: only what it understands', () => {
    expect(buildArgs({ ...spec, secretFiles: [] }, false)).toEqual([
      'build', '--file', 'ctx/Dockerfile',
      '--tag', 'ghcr.io/acme/w:1', '--tag', 'ghcr.io/acme/w:latest',
      '--build-arg', 'A=1',
      '--label', 'org.opencontainers.image.source=https://github.com/acme/w',
      '--target', 'runtime', 'ctx',
    ]);
  });
});
