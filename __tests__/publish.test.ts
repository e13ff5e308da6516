import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { context, settings } from '../__fixtures__/settings.js';
import type { Credential } from '../src/credentials.js';
import type { CacheService } from '../src/build-cache.js';
import type { Builder, BuildSpec, Docker } from '../src/docker.js';
import { ActionError } from '../src/errors.js';
import { type PublishDeps, publish } from '../src/publish.js';
import { RegistryError } from '../src/registry-client.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

const CONTAINERD: Builder = { buildx: true, driver: 'docker', capable: true };

function fakeDocker(pushResult: (ref: string) => string = () => DIGEST, builder: Builder = CONTAINERD): Docker & { calls: string[]; specs: BuildSpec[] } {
  const calls: string[] = [];
  const specs: BuildSpec[] = [];
  return {
    calls,
    specs,
    builder: async () => builder,
    createBuilder: async (name) => void calls.push(`create builder ${name}`),
    removeBuilder: async (name) => void calls.push(`remove builder ${name}`),
    login: async (registry, user) => void calls.push(`login ${registry} ${user}`),
    logout: async (registry) => void calls.push(`logout ${registry}`),
    build: async (spec) => {
      calls.push(`build ${spec.references.join(' ')}`);
      specs.push(spec);
      return spec.metadataFile ? DIGEST : undefined;
    },
    push: async (ref) => {
      calls.push(`push ${ref}`);
      return pushResult(ref);
    },
  };
}

const noCache: CacheService = { available: () => false, restore: async () => undefined, save: async () => undefined };

function deps(docker: Docker, over: Partial<PublishDeps> = {}, held: Record<string, string> = { '1.2.3': DIGEST, latest: DIGEST }): PublishDeps {
  return {
    docker,
    cache: noCache,
    pushCheck: async () => undefined,
    manifest: async (_credential, _path, tag) => ({ digest: held[tag], mediaType: '', body: Buffer.alloc(0) }),
    packageLink: async () => ({ packageUrl: 'https://github.com/orgs/acme/packages/container/package/widget', lines: ['linked repository: Acme/Widget'] }),
    writeSecrets: (s) => ({ dir: '/run/secrets', files: s.secrets.map((x) => ({ id: x.id, path: `/run/secrets/${x.id}` })) }),
    state: { loggedIn: jest.fn(), builder: jest.fn(), secretsDir: jest.fn() },
    cacheBaseDir: '/runner/temp',
    runDir: '/runner/temp/run',
    runId: '42',
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
    expect(d.state.loggedIn).toHaveBeenCalled();
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

describe('builders', () => {
  it.each([
    ['platforms', settings({ platforms: ['linux/amd64', 'linux/arm64'] })],
    ['secrets', settings({ secrets: [{ id: 'npm', value: 'x' }] })],
    ['provenance', settings({ provenance: true })],
  ])('the classic builder refuses %s before anything runs', async (input, s) => {
    const docker = fakeDocker(undefined, { buildx: false, driver: '', capable: false });
    await expect(publish(s, context, deps(docker))).rejects.toThrow(`Input '${input}'`);
    expect(docker.calls).toEqual([]);
  });

  it('the classic builder builds without the cache, with a notice', async () => {
    const docker = fakeDocker(undefined, { buildx: false, driver: '', capable: false });
    await publish(settings(), context, deps(docker));
    expect(out.join('')).toContain('::notice::cache: Only the classic builder is installed');
  });

  it('sets up a builder of its own for several platforms on the docker driver without containerd, and pushes from it', async () => {
    const docker = fakeDocker(undefined, { buildx: true, driver: 'docker', capable: false });
    const d = deps(docker);
    const result = await publish(settings({ platforms: ['linux/amd64', 'linux/arm64'] }), context, d);
    expect(d.state.builder).toHaveBeenCalledWith(`ghcr-publish-42-${process.pid}`);
    expect(docker.calls.filter((c) => c.startsWith('push'))).toEqual([]);
    expect(docker.specs[0]).toMatchObject({ builder: `ghcr-publish-42-${process.pid}`, output: 'push', metadataFile: '/runner/temp/run/build-metadata.json' });
    expect(result.digest).toBe(DIGEST);
  });

  it('sets up a builder of its own for the cache on the docker driver without containerd', async () => {
    const docker = fakeDocker(undefined, { buildx: true, driver: 'docker', capable: false });
    const saved: string[] = [];
    const cache: CacheService = { available: () => true, restore: async () => undefined, save: async (plan) => void saved.push(plan.key) };
    await publish(settings({ context: '__fixtures__', file: '__fixtures__/settings.ts' }), context, deps(docker, { cache }));
    expect(docker.calls).toContain(`create builder ghcr-publish-42-${process.pid}`);
    expect(docker.specs[0]).toMatchObject({ output: 'push', cacheTo: expect.stringContaining('type=local,dest=') });
    expect(saved).toHaveLength(1);
  });

  it('builds without the cache, with a warning, when no builder can export it', async () => {
    const docker = fakeDocker(undefined, { buildx: true, driver: 'docker', capable: false });
    docker.createBuilder = async () => {
      throw new Error('pull access denied for moby/buildkit');
    };
    const cache: CacheService = { available: () => true, restore: async () => undefined, save: async () => undefined };
    const result = await publish(settings(), context, deps(docker, { cache }));
    expect(result.pushed).toBe(true);
    expect(docker.specs[0]).toMatchObject({ builder: undefined, output: 'load', cacheTo: undefined });
    expect(out.join('')).toContain('::warning::cache: the current builder');
  });

  it('needs no builder of its own without a cache service', async () => {
    const docker = fakeDocker(undefined, { buildx: true, driver: 'docker', capable: false });
    await publish(settings(), context, deps(docker));
    expect(docker.calls.some((c) => c.startsWith('create builder'))).toBe(false);
  });

  it('fails naming platforms when no such builder can start', async () => {
    const docker = fakeDocker(undefined, { buildx: true, driver: 'docker', capable: false });
    docker.createBuilder = async () => {
      throw new Error('pull access denied for moby/buildkit');
    };
    await expect(publish(settings({ platforms: ['linux/amd64', 'linux/arm64'] }), context, deps(docker))).rejects.toThrow(
      /Input 'platforms': the current builder .* could not be started: pull access denied/,
    );
  });

  it('builds several platforms with the current builder where it can', async () => {
    const docker = fakeDocker();
    await publish(settings({ platforms: ['linux/amd64', 'linux/arm64'] }), context, deps(docker));
    expect(docker.specs[0]).toMatchObject({ builder: undefined, output: 'load', platforms: ['linux/amd64', 'linux/arm64'] });
  });

  it('hands secrets to the build as files, and tells the post step where they are', async () => {
    const docker = fakeDocker();
    const d = deps(docker);
    await publish(settings({ secrets: [{ id: 'npm', value: 'hunter2' }] }), context, d);
    expect(docker.specs[0].secretFiles).toEqual([{ id: 'npm', path: '/run/secrets/npm' }]);
    expect(d.state.secretsDir).toHaveBeenCalledWith('/run/secrets');
  });
});

describe('the build cache', () => {
  const service = (restored: (key: string) => string | undefined, saveFails = false) => {
    const saved: string[] = [];
    const cache: CacheService = {
      available: () => true,
      restore: async (plan) => restored(plan.key),
      save: async (plan) => {
        if (saveFails) throw new Error('cache service answered 500');
        saved.push(plan.key);
      },
    };
    return { cache, saved };
  };

  it('reads a restored cache, writes a new one and saves it under a new key', async () => {
    const docker = fakeDocker();
    const { cache, saved } = service(() => 'ghcr-publish-acme-widget-native-older');
    await publish(settings({ context: '__fixtures__' , file: '__fixtures__/settings.ts' }), context, deps(docker, { cache }));
    expect(docker.specs[0].cacheFrom).toMatch(/^type=local,src=\/runner\/temp\/ghcr-publish-cache-[0-9a-f]{12}$/);
    expect(docker.specs[0].cacheTo).toMatch(/^type=local,dest=\/runner\/temp\/ghcr-publish-cache-[0-9a-f]{12}\.next,mode=max$/);
    expect(saved).toEqual([expect.stringMatching(/^ghcr-publish-acme-widget-native-[0-9a-f]{32}$/)]);
  });

  it('does not save again under a key it hit exactly', async () => {
    const { cache, saved } = service((key) => key);
    await publish(settings({ context: '__fixtures__', file: '__fixtures__/settings.ts' }), context, deps(fakeDocker(), { cache }));
    expect(saved).toEqual([]);
  });

  it('never fails the publish when saving fails', async () => {
    const { cache } = service(() => undefined, true);
    const result = await publish(settings({ context: '__fixtures__', file: '__fixtures__/settings.ts' }), context, deps(fakeDocker(), { cache }));
    expect(result.pushed).toBe(true);
    expect(out.join('')).toContain('::warning::The build cache could not be saved (cache service answered 500)');
  });

  it('builds without it, with a notice, where the runner has no cache service', async () => {
    const docker = fakeDocker();
    await publish(settings(), context, deps(docker));
    expect(docker.specs[0].cacheFrom).toBeUndefined();
    expect(out.join('')).toContain('::notice::cache: this runner offers no Actions cache service');
  });
});
