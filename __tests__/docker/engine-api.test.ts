import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { tempDir } from '../../__fixtures__/temp-dir.js';
import { engineGet } from '../../src/docker/engine-api.js';

// An engine on a unix socket of the test's own, answering as dockerd does.
const dir = tempDir('engine-api-');
const socket = path.join(dir, 'docker.sock');
const asked: string[] = [];
const engine = http.createServer((req, res) => {
  asked.push(req.url ?? '');
  if (req.url === '/info')
    return void res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"DriverStatus":[["driver-type","io.containerd.snapshotter.v1"]]}');
  res.writeHead(404).end('{"message":"No such image"}');
});
beforeAll(() => new Promise<void>((r) => engine.listen(socket, r)));
afterAll(() => new Promise((r) => engine.close(r)));

describe("the engine's API over its socket", () => {
  it('answers what the engine says, over the socket DOCKER_HOST names', async () => {
    expect(await engineGet({ DOCKER_HOST: `unix://${socket}` }, '/info')).toEqual({
      DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
    });
  });

  it('is undefined for an error, so that the caller asks the CLI', async () => {
    expect(await engineGet({ DOCKER_HOST: `unix://${socket}` }, '/images/nope/history')).toBeUndefined();
    expect(asked).toContain('/images/nope/history');
  });

  it.each([
    ['an engine over TCP', { DOCKER_HOST: 'tcp://10.0.0.1:2376' }],
    ['another docker context', { DOCKER_CONTEXT: 'remote' }],
  ])('is undefined for %s, without asking anything', async (_what, env) => {
    const before = asked.length;
    expect(await engineGet(env, '/info')).toBeUndefined();
    expect(asked).toHaveLength(before);
  });

  it("is undefined where the configuration's current context is another one", async () => {
    const config = path.join(dir, 'config');
    mkdirSync(config);
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    expect(await engineGet({ DOCKER_CONFIG: config }, '/info')).toBeUndefined();
  });
});
