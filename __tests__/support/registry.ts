import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from '../../__fixtures__/temp-dir.ts';

/** A real CNCF Distribution registry on 127.0.0.1, with htpasswd or token auth. */
export interface TestRegistry {
  host: string;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export type RegistryAuth =
  { kind: 'htpasswd'; users: Record<string, string> } | { kind: 'token'; realm: string; service: string; issuer: string; certFile: string };

/** `port`: the same address for registries started one after another (a cache keyed on the image's name). */
export async function startRegistry(auth: RegistryAuth, options: { port?: number } = {}): Promise<TestRegistry> {
  const dir = tempDir('test-registry-');
  const port = options.port ?? (await freePort());
  let authYaml: string;
  if (auth.kind === 'htpasswd') {
    const lines = Object.entries(auth.users).map(([user, pass]) =>
      execFileSync('htpasswd', ['-Bbn', user, pass], { encoding: 'utf8' }).trim(),
    );
    writeFileSync(path.join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    authYaml = `  htpasswd:\n    realm: test-registry\n    path: ${path.join(dir, 'htpasswd')}\n`;
  } else {
    authYaml = `  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.certFile}\n`;
  }
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\nauth:\n${authYaml}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${url}/v2/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || i === 99) throw new Error(`docker-registry did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    dir,
    async stop() {
      child.kill();
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Repositories the registry holds, read with the registry's own API. */
export async function catalog(registry: TestRegistry, basic: string): Promise<string[]> {
  const res = await fetch(`${registry.url}/v2/_catalog`, { headers: { Authorization: `Basic ${basic}` } });
  return ((await res.json()) as { repositories: string[] }).repositories;
}
