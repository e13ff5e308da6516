import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../__fixtures__/temp-dir.js';
import { builderFromFiles } from '../../src/docker/builder-files.js';

const DEFAULT_KEY = 'unix:///var/run/docker.sock';

/** A machine as buildx leaves it: a docker program on PATH, the buildx plugin, a config and buildx's directory. */
function machine(
  over: {
    docker?: string;
    plugin?: boolean;
    config?: object;
    current?: string;
    defaults?: string;
    instances?: Record<string, object>;
  } = {},
) {
  const root = tempDir('builder-files-');
  const bin = path.join(root, 'bin');
  const config = path.join(root, 'docker');
  const buildx = path.join(config, 'buildx');
  mkdirSync(bin);
  mkdirSync(path.join(buildx, 'instances'), { recursive: true });
  mkdirSync(path.join(buildx, 'defaults'));
  writeFileSync(path.join(bin, 'docker'), over.docker ?? '\x7fELF a program', { mode: 0o755 });
  if (over.plugin !== false) {
    mkdirSync(path.join(config, 'cli-plugins'));
    writeFileSync(path.join(config, 'cli-plugins', 'docker-buildx'), '\x7fELF', { mode: 0o755 });
  }
  writeFileSync(path.join(config, 'config.json'), JSON.stringify(over.config ?? {}));
  if (over.current !== undefined) writeFileSync(path.join(buildx, 'current'), over.current);
  if (over.defaults !== undefined) {
    const hash = createHash('sha256').update(DEFAULT_KEY).digest('hex').slice(0, 20);
    writeFileSync(path.join(buildx, 'defaults', hash), over.defaults);
  }
  for (const [name, json] of Object.entries(over.instances ?? {}))
    writeFileSync(path.join(buildx, 'instances', name), JSON.stringify(json));
  return { PATH: bin, DOCKER_CONFIG: config, BUILDX_CONFIG: buildx } as NodeJS.ProcessEnv;
}

const current = (name: string, key = DEFAULT_KEY, global = false) => JSON.stringify({ Key: key, Name: name, Global: global });
const builder = (driver: string) => ({ Name: 'b', Driver: driver, Nodes: [{ Name: 'b0', Endpoint: DEFAULT_KEY }] });

// No system plugin directory counts in these tests ([]): only the configuration's own `cli-plugins`.
describe("the current builder, read from buildx's files", () => {
  it.each([
    ['nothing chosen yet (no `current`)', {}, 'docker'],
    ['`current` naming no builder', { current: current('') }, 'docker'],
    [
      '`docker buildx use` of a docker-container builder',
      { current: current('ci'), instances: { ci: builder('docker-container') } },
      'docker-container',
    ],
    [
      'a builder chosen for every context (--global)',
      { current: current('k8s', 'other', true), instances: { k8s: builder('kubernetes') } },
      'kubernetes',
    ],
    [
      'a choice for another context: the default builder here',
      { current: current('ci', 'ssh://elsewhere'), instances: { ci: builder('remote') } },
      'docker',
    ],
    [
      'the default kept for this context (--default)',
      { defaults: 'ci', instances: { ci: builder('docker-container') } },
      'docker-container',
    ],
    ['`default` chosen by name', { current: current('default') }, 'docker'],
  ])('%s', (_what, over, driver) => {
    expect(builderFromFiles(machine(over), [])).toEqual({ driver });
  });

  it('BUILDX_BUILDER names the builder, as it does for buildx', () => {
    const env = machine({ instances: { env: builder('remote') } });
    expect(builderFromFiles({ ...env, BUILDX_BUILDER: 'env' }, [])).toEqual({ driver: 'remote' });
  });

  it.each([
    ['a builder whose instance file is missing', { current: current('gone') }, {}],
    ['an unreadable `current`', { current: '{not json' }, {}],
    ['no buildx plugin where docker looks', { plugin: false }, {}],
    ['a docker on PATH that is a script (podman-docker, a wrapper)', { docker: '#!/bin/sh\nexec podman "$@"\n' }, {}],
    ['another docker context in the configuration', { config: { currentContext: 'remote' } }, {}],
    ['DOCKER_HOST', {}, { DOCKER_HOST: 'tcp://10.0.0.1:2376' }],
    ['DOCKER_CONTEXT', {}, { DOCKER_CONTEXT: 'remote' }],
  ])('is left to `docker buildx inspect` for %s', (_what, over, env) => {
    expect(builderFromFiles({ ...machine(over), ...env }, [])).toBeUndefined();
  });

  it('finds the plugin in a directory config.json adds (cliPluginsExtraDirs)', () => {
    const extra = tempDir('plugins-');
    writeFileSync(path.join(extra, 'docker-buildx'), '\x7fELF', { mode: 0o755 });
    expect(builderFromFiles(machine({ plugin: false, config: { cliPluginsExtraDirs: [extra] } }), [])).toEqual({ driver: 'docker' });
  });
});
