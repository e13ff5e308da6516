import { describe, expect, it } from '@jest/globals';
import { PLAIN_DOCKER } from '../../__fixtures__/fake-docker.js';
import { ociImage } from '../../__fixtures__/oci-image.js';
import { capturedRuns, failure, makeWorld, planOf } from '../../__fixtures__/run-world.js';
import { ActionError } from '../../src/runner/errors.js';
import { execute } from '../../src/publish/execute.js';

// Each refusal the fakes can make, made: a fake that never says no proves nothing about the code
// that must handle a no.
const REPO = 'acme/widget';

capturedRuns();

describe("the engine's push (the docker driver without the containerd store)", () => {
  it('is refused without a login, as the engine refuses it: the publish logs in first', async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    await execute(planOf(), w.deps);
    const pushAt = w.journal.findIndex((line) => line.startsWith('docker push '));
    expect(w.journal.findIndex((line) => line.startsWith('docker login '))).toBeLessThan(pushAt);
    // The fake holds to it: a push without the login fails.
    w.docker.loggedIn.clear();
    await expect(w.docker.push('ghcr.io/acme/widget:latest')).rejects.toThrow('unauthorized: authentication required');
  });

  it("a push the registry refuses fails the step with the engine's words, and sets no tag", async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    w.docker.refusePush = 'denied: permission_denied: write_package';
    const e = await failure(execute(planOf({ tags: ['1.2.3', 'latest'] }), w.deps));
    expect(e.message).toContain('denied: permission_denied: write_package');
    expect(w.registry.tagsOf(REPO)).toEqual({});
    expect(w.prunes).toEqual([]);
  });

  it('a digest the engine reports that the registry does not hold is an ActionError, and nothing is reported as published', async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    w.docker.reportDigest = `sha256:${'e'.repeat(64)}`;
    const e = await failure(execute(planOf(), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain(`docker push reported sha256:${'e'.repeat(64)} for ghcr.io/acme/widget:latest, but reading it back`);
    expect(w.prunes).toEqual([]);
  });
});

describe("a builder of the run's own that cannot be started", () => {
  it('fails a multi-platform build before anything is built, naming the platforms and why', async () => {
    const w = makeWorld({ builder: PLAIN_DOCKER });
    w.docker.createBuilderFails = 'Cannot connect to the Docker daemon';
    const e = await failure(execute(planOf({ platforms: ['linux/amd64', 'linux/arm64'] }), w.deps));
    expect(e).toBeInstanceOf(ActionError);
    expect(e.message).toContain("Input 'platforms':");
    expect(e.message).toContain('Cannot connect to the Docker daemon');
    expect(w.docker.count('build')).toBe(0);
    expect(w.registry.writes()).toEqual([]);
  });
});

describe('a source the credential may not read', () => {
  it('fails a promote with the registry’s words, and writes nothing', async () => {
    const w = makeWorld();
    w.registry.seed('acme/builds', ociImage({ platform: 'linux/amd64', content: 'tested' }), 'candidate');
    w.registry.denyRead('acme/builds');
    const e = await failure(execute(planOf({ promote: { kind: 'reference', path: 'acme/builds', reference: 'candidate' } }), w.deps));
    expect(e.message).toContain('denied: permission_denied: read_package');
    expect(w.registry.writes()).toEqual([]);
  });
});
