import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../../__fixtures__/temp-dir.js';
import { builderFromFiles } from '../../src/docker/builder-files.js';

// The real buildx writes its files, and answers `inspect`: the reader must agree with it in each state.
const config = tempDir('buildx-agree-');
const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config, BUILDX_CONFIG: path.join(config, 'buildx') };
const buildx = (...args: string[]) =>
  execFileSync('docker', ['buildx', ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inspected = () => buildx('inspect').match(/^Driver:\s*(\S+)/m)?.[1];

describe('the builder read from buildx files agrees with `docker buildx inspect`', () => {
  it('with nothing chosen, after `buildx create --use`, `buildx use default`, and `buildx use --default`', () => {
    const states: [string, () => void][] = [
      ['nothing chosen', () => undefined],
      ['create --use', () => buildx('create', '--name', 'agree', '--driver', 'docker-container', '--use')],
      ['use default', () => buildx('use', 'default')],
      ['use --default', () => buildx('use', '--default', 'agree')],
    ];
    const seen = states.map(([what, change]) => {
      change();
      return [what, builderFromFiles(env)?.driver, inspected()];
    });
    expect(seen).toEqual([
      ['nothing chosen', 'docker', 'docker'],
      ['create --use', 'docker-container', 'docker-container'],
      ['use default', 'docker', 'docker'],
      ['use --default', 'docker-container', 'docker-container'],
    ]);
  });
});
