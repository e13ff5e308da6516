import { describe, expect, it } from '@jest/globals';
import { ociImage } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, makeWorld, planOf } from '../../__fixtures__/run-world.js';
import { ActionError } from '../../src/runner/errors.js';
import { RegistryError } from '../../src/registry/registry-error.js';
import { execute } from '../../src/publish/execute.js';
import type { Settings } from '../../src/settings/settings.js';

const REPO = 'acme/widget';

capturedRuns();

describe('a publish that fails half way', () => {
  it('names the tags that landed and those that did not', async () => {
    const w = makeWorld();
    w.registry.fail({ method: 'putManifest', reference: 'latest' });
    const e = await failure(execute(planOf({ tags: ['1.2.3', '1.2', 'latest'], pruneUntagged: 0 }), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    const [, notSet, set] = e.message.match(/Not set: (.*)\. Set: (.*)\. Nothing is reported/) ?? [];
    expect(notSet).toMatch(/^latest \(.*HTTP 503: Service Unavailable\)$/);
    expect(set.split(', ').sort()).toEqual(['1.2', '1.2.3']);
    expect(w.registry.tagged(REPO, 'latest')).toBeUndefined();
    expect(w.prunes).toEqual([]);
  });

  it('a read-back that fails after the push is an ActionError saying the push finished but is unverified', async () => {
    const w = makeWorld();
    w.registry.fail({ method: 'manifest', reference: 'latest' });
    const e = await failure(execute(planOf({ pruneUntagged: 0 }), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain('The push finished, but reading latest back from ghcr.io failed');
    expect(e.message).toContain(`not known that the registry holds ${w.docker.builds[0].digest}`);
    expect(w.prunes).toEqual([]);
  });

  it('a re-run once the cause is gone sets the tags that did not land', async () => {
    // setTags tells the user that setting the same tags again is safe: a re-run must finish the job.
    const first = makeWorld();
    first.registry.fail({ method: 'putManifest', reference: 'latest' });
    await failure(execute(planOf(), first.deps));
    const again = makeWorld({ registry: first.registry });
    const result = await execute(planOf(), again.deps);
    const digest = first.docker.builds[0].digest;
    expect(result).toMatchObject({ digest, alreadyPublished: true });
    expect(again.registry.tagsOf(REPO)).toEqual({ '1.2.3': digest, latest: digest });
  });
});

describe('a registry fault that persists', () => {
  // failure.ts reports any other error as an "Unexpected failure" to be reported as a bug.
  it('during the layout push is an ActionError with the registry words, naming the references not set', async () => {
    const w = makeWorld();
    w.registry.fail({ method: 'uploadBlob' }, undefined, 100);
    const e = await failure(execute(planOf(), w.deps));
    expect(e.message).toContain('HTTP 503: Service Unavailable');
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain('1.2.3');
    expect(w.registry.tagsOf(REPO)).toEqual({});
  });

  it('during a promote copy is an ActionError with the registry words', async () => {
    const w = makeWorld();
    w.registry.seed('acme/builds', ociImage({ platform: 'linux/amd64', content: 'tested' }), 'candidate');
    w.registry.fail({ method: 'mountBlob' }, undefined, 100);
    const e = await failure(execute(planOf({ promote: { kind: 'reference', path: 'acme/builds', reference: 'candidate' } }), w.deps));
    expect(e.message).toContain('HTTP 503: Service Unavailable');
    expect(e).toBeInstanceOf(ActionError);
  });

  it('a promote whose layers the registry will neither mount nor let be read is an ActionError telling how to grant access', async () => {
    const w = makeWorld();
    w.registry.seed('acme/builds', ociImage({ platform: 'linux/amd64', content: 'tested' }), 'candidate');
    w.registry.declineMounts();
    w.registry.fail(
      { method: 'openBlob' },
      (c) => new RegistryError(403, 'denied: permission_denied: read_package', `reading ${c.repo}`),
      100,
    );
    const e = await failure(execute(planOf({ promote: { kind: 'reference', path: 'acme/builds', reference: 'candidate' } }), w.deps));
    expect(e.message).toContain('refused a cross-repository mount');
    expect(e.message).toContain('HTTP 403: denied: permission_denied: read_package');
    expect(e.message).toContain('Manage Actions access');
    expect(e).toBeInstanceOf(ActionError);
    expect(w.registry.uploadedBytes).toBe(0);
    expect(w.registry.tagsOf(REPO)).toEqual({});
  });

  it('a merge whose handed-over image is gone from the registry is an ActionError naming the platform', async () => {
    const w = makeWorld();
    w.handoff.held.set('linux/amd64', w.registry.seed(REPO, ociImage({ platform: 'linux/amd64', content: 'amd64' })));
    w.handoff.held.set('linux/arm64', 'sha256:'.padEnd(71, 'a'));
    const e = await failure(execute(planOf({ merge: ['linux/amd64', 'linux/arm64'] }), w.deps));
    expect(e.message).toContain('linux/arm64');
    expect(e).toBeInstanceOf(ActionError);
    expect(w.registry.writes()).toEqual([]);
  });
});

describe('on the docker-pkg registry, where the layout is pushed under the first tag', () => {
  const dockerPkg: Partial<Settings> = {
    registry: 'docker.pkg.github.com',
    registryType: 'docker-pkg',
    path: 'acme/widget/widget',
    imageName: 'docker.pkg.github.com/acme/widget/widget',
    references: ['docker.pkg.github.com/acme/widget/widget:1.2.3', 'docker.pkg.github.com/acme/widget/widget:latest'],
  };

  it('publishes every tag', async () => {
    const w = makeWorld();
    const result = await execute(planOf(dockerPkg), w.deps);
    expect(w.registry.tagsOf('acme/widget/widget')).toEqual({ '1.2.3': result.digest, latest: result.digest });
  });

  it('a publisher that sets 1.2.3 during the build is not overwritten', async () => {
    const w = makeWorld();
    const racer = ociImage({ platform: 'linux/amd64', content: 'the racing build' });
    w.docker.onBuild = () => void w.registry.seed('acme/widget/widget', racer, '1.2.3');
    await failure(execute(planOf(dockerPkg), w.deps));
    expect(w.registry.tagged('acme/widget/widget', '1.2.3')).toBe(racer.top.digest);
  });
});
