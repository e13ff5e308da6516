import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { context, settings } from '../__fixtures__/settings.js';
import type { Credential } from '../src/credentials.js';
import type { Docker } from '../src/docker.js';
import { ActionError } from '../src/errors.js';
import { type PublishDeps, publish } from '../src/publish.js';
import { RegistryError } from '../src/registry-client.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

function fakeDocker(pushResult: (ref: string) => string = () => DIGEST): Docker & { calls: string[] } {
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

function deps(docker: Docker, over: Partial<PublishDeps> = {}, held: Record<string, string> = { '1.2.3': DIGEST, latest: DIGEST }): PublishDeps {
  return {
    docker,
    pushCheck: async () => undefined,
    manifest: async (_credential, _path, tag) => ({ digest: held[tag], mediaType: '', body: Buffer.alloc(0) }),
    packageLink: async () => ({ packageUrl: 'https://github.com/orgs/acme/packages/container/package/widget', lines: ['linked repository: Acme/Widget'] }),
    loggedIn: jest.fn(),
    now: new Date(),
    ...over,
  };
}

let out: string[];
beforeEach(() => {
  out = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
});

describe('publishing', () => {
  it('checks, logs in, builds, pushes every tag, reads the digest back and checks the link', async () => {
    const docker = fakeDocker();
    const d = deps(docker);
    const result = await publish(settings(), context, d);
    expect(docker.calls).toEqual([
      'login ghcr.io octocat',
      'build ghcr.io/acme/widget:1.2.3 ghcr.io/acme/widget:latest',
      'push ghcr.io/acme/widget:1.2.3',
      'push ghcr.io/acme/widget:latest',
    ]);
    expect(d.loggedIn).toHaveBeenCalled();
    expect(result).toMatchObject({
      digest: DIGEST,
      pushed: true,
      tokenSource: 'github-token',
      packageUrl: 'https://github.com/orgs/acme/packages/container/package/widget',
      link: ['linked repository: Acme/Widget'],
    });
  });

  it('logs in and pushes with the PAT when the push check refuses GITHUB_TOKEN', async () => {
    const docker = fakeDocker();
    const pushCheck = async (c: Credential) => {
      if (c.source === 'github-token') throw new RegistryError(403, 'denied: installation not allowed to Create organization package', 'starting an upload');
    };
    const result = await publish(settings({ pat: 'ghp_robot', patUsername: 'robot' }), context, deps(docker, { pushCheck }));
    expect(docker.calls[0]).toBe('login ghcr.io robot');
    expect(result.tokenSource).toBe('pat');
  });

  it('fails before building when no credential may push', async () => {
    const docker = fakeDocker();
    const pushCheck = async () => {
      throw new RegistryError(403, 'denied: installation not allowed to Create organization package', 'starting an upload');
    };
    await expect(publish(settings(), context, deps(docker, { pushCheck }))).rejects.toThrow('packages: write');
    expect(docker.calls).toEqual([]);
  });

  it('builds and skips the push, with a notice, when the run has a read-only token and no PAT', async () => {
    const docker = fakeDocker();
    const pushCheck = jest.fn(async () => undefined);
    const result = await publish(settings(), { ...context, readOnlyToken: true }, deps(docker, { pushCheck }));
    expect(pushCheck).not.toHaveBeenCalled();
    expect(docker.calls).toEqual(['login ghcr.io octocat', 'build ghcr.io/acme/widget:1.2.3 ghcr.io/acme/widget:latest']);
    expect(result).toMatchObject({ pushed: false, digest: '', skipReason: expect.stringContaining('read-only') });
    expect(out.join('')).toContain('::notice::Not pushed');
  });

  it('fails when the registry holds different images under the tags', async () => {
    const d = deps(fakeDocker(), {}, { '1.2.3': DIGEST, latest: OTHER });
    await expect(publish(settings(), context, d)).rejects.toThrow('does not hold one image');
  });

  it('names what was pushed and what was not when a push fails', async () => {
    const docker = fakeDocker((ref) => {
      if (ref.endsWith(':latest')) throw new ActionError('docker push failed for latest: denied', '');
      return DIGEST;
    });
    await expect(publish(settings(), context, deps(docker))).rejects.toThrow(
      'Pushed before the failure: ghcr.io/acme/widget:1.2.3; not pushed: ghcr.io/acme/widget:latest.',
    );
  });

  it('warns with the steps to connect a package that is not linked', async () => {
    const packageLink = async () => ({ packageUrl: 'u', lines: [], warning: 'not linked: connect it' });
    await publish(settings(), context, deps(fakeDocker(), { packageLink }));
    expect(out.join('')).toContain('::warning::not linked: connect it');
  });

  it('with push: false checks nothing and builds only', async () => {
    const docker = fakeDocker();
    const pushCheck = jest.fn(async () => undefined);
    const result = await publish(settings({ push: false }), context, deps(docker, { pushCheck }));
    expect(pushCheck).not.toHaveBeenCalled();
    expect(docker.calls).toEqual(['login ghcr.io octocat', 'build ghcr.io/acme/widget:1.2.3 ghcr.io/acme/widget:latest']);
    expect(result).toMatchObject({ digest: '', pushed: false, tokenSource: '' });
  });
});
