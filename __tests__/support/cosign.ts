import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Trust } from './sigstore.ts';

/** An in-toto statement, as cosign prints the verified attestations' payloads. */
export interface Statement {
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: { buildDefinition?: { buildType?: string }; runDetails?: { builder?: { id?: string } } };
}

export interface CosignResult {
  status: number;
  stderr: string;
  /** The statements cosign verified (one per attestation it accepted). */
  statements: Statement[];
}

/**
 * Runs a `cosign verify-attestation` command line (as the job summary gives it) with the real
 * cosign, against the registry alone and offline: the stand-in instance's trusted root in place of
 * the one named (or added), `--allow-http-registry` for the plain-HTTP test registry, and every
 * proxy variable on a loopback port that refuses connections, so nothing but the registry on
 * 127.0.0.1 (which Go never proxies) can be reached. HOME, DOCKER_CONFIG and TUF_ROOT are fresh.
 */
export async function cosign(
  command: string,
  trust: Trust,
  login: { host: string; user: string; password: string },
): Promise<CosignResult> {
  const words = command.split(' ');
  if (words[0] !== 'cosign') throw new Error(`not a cosign command: ${command}`);
  const image = words[words.length - 1];
  const flags = words.slice(1, -1);
  const at = flags.indexOf('--trusted-root');
  if (at >= 0) flags.splice(at, 2);
  const args = [...flags, '--trusted-root', trust.trustedRoot, '--allow-http-registry', image];

  const home = mkdtempSync(path.join(os.tmpdir(), 'cosign-'));
  mkdirSync(path.join(home, 'docker'));
  const auth = Buffer.from(`${login.user}:${login.password}`).toString('base64');
  writeFileSync(path.join(home, 'docker', 'config.json'), JSON.stringify({ auths: { [login.host]: { auth } } }));
  const refusing = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const nowhere = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  try {
    return await new Promise<CosignResult>((resolve) => {
      execFile(
        'cosign',
        args,
        {
          env: {
            PATH: process.env.PATH,
            HOME: home,
            DOCKER_CONFIG: path.join(home, 'docker'),
            TUF_ROOT: path.join(home, 'tuf'),
            HTTPS_PROXY: nowhere,
            HTTP_PROXY: nowhere,
            NO_PROXY: '',
            // cosign 2.5.0 asks TUF for Fulcio's roots in keyless verify-attestation even with
            // --trusted-root (cmd/cosign/cli/verify: loadCertsKeylessVerification); this file
            // answers that instead, and the new bundle format verifies with the trusted root alone.
            SIGSTORE_ROOT_FILE: trust.fulcioRoot,
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          const statements = stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map(
              (line) => JSON.parse(Buffer.from((JSON.parse(line) as { payload: string }).payload, 'base64').toString('utf8')) as Statement,
            );
          resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stderr, statements });
        },
      );
    });
  } finally {
    refusing.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** The `cosign …` line of a job summary's verify commands. */
export function cosignCommand(summary: string): string {
  const line = summary
    .split('\n')
    .map((l) => l.replace(/<\/?pre>/g, ''))
    .find((l) => l.startsWith('cosign verify-attestation'));
  if (!line) throw new Error(`the summary gives no cosign command:\n${summary}`);
  return line;
}
