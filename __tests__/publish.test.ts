import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { context, settings } from '../__fixtures__/settings.js';
import type { Docker } from '../src/docker.js';
import { ActionError } from '../src/errors.js';
import { type PublishDeps, publish } from '../src/publish.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

function fakeDocker(pushResult: (ref: string) => string): Docker & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    hasBuildx: async () => true,
    login: async (registry, user) => void calls.push(`login ${registry} ${user}`),
    logout: async (registry) => void calls.push(`logout ${registry}`),
    build: async (spec) => void calls.push(`build ${spec.references.join(' ')}`),
    push: async (ref) => {
      calls.push(`push ${ref}`);
      return pushResult(ref);
    },
  };
}

function deps(docker: Docker, held: Record<string, string>): PublishDeps {
  return {
    docker,
    manifest: async (_path, tag) => ({ digest: held[tag], mediaType: '', body: Buffer.alloc(0) }),
    loggedIn: jest.fn(),
    now: new Date(),
  };
}

const credential = { source: 'github-token' as const, username: 'octocat', secret: 'ghs_token' };
beforeEach(() => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

describe('publishing', () => {
  it('logs in, builds, pushes every tag and reports the digest the registry holds', async () => {
    const docker = fakeDocker(() => DIGEST);
    const d = deps(docker, { '1.2.3': DIGEST, latest: DIGEST });
    const result = await publish(settings(), context, credential, d);
    expect(docker.calls).toEqual([
      'login ghcr.io octocat',
      'build ghcr.io/acme/widget:1.2.3 ghcr.io/acme/widget:latest',
      'push ghcr.io/acme/widget:1.2.3',
      'push ghcr.io/acme/widget:latest',
    ]);
    expect(d.loggedIn).toHaveBeenCalled();
    expect(result).toMatchObject({ digest: DIGEST, pushed: true, tokenSource: 'github-token' });
  });

  it('fails when the registry holds different images under the tags', async () => {
    const docker = fakeDocker(() => DIGEST);
    await expect(publish(settings(), context, credential, deps(docker, { '1.2.3': DIGEST, latest: OTHER }))).rejects.toThrow(
      'does not hold one image',
    );
  });

  it('names what was pushed and what was not when a push fails', async () => {
    const docker = fakeDocker((ref) => {
      if (ref.endsWith(':latest')) throw new ActionError('docker push failed for latest: denied', '');
      return DIGEST;
    });
    await expect(publish(settings(), context, credential, deps(docker, {}))).rejects.toThrow(
      'Pushed before the failure: ghcr.io/acme/widget:1.2.3; not pushed: ghcr.io/acme/widget:latest.',
    );
  });

  it('with push: false builds only and reports no digest', async () => {
    const docker = fakeDocker(() => DIGEST);
    const result = await publish(settings({ push: false }), context, undefined, deps(docker, {}));
    expect(docker.calls).toEqual(['build ghcr.io/acme/widget:1.2.3 ghcr.io/acme/widget:latest']);
    expect(result).toMatchObject({ digest: '', pushed: false, tokenSource: '' });
  });
});
