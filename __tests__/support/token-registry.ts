import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type TestRegistry, startRegistry } from './registry.ts';
import { tokenSigner } from './token-signer.ts';

/**
 * A registry with token auth as Docker Hub has it, for what cannot be reached from here: a real
 * CNCF Distribution registry whose challenge sends clients to a token service of its own. The
 * service takes the login as Basic auth on a GET (as auth.docker.io does,
 * https://distribution.github.io/distribution/spec/auth/token/), answers a wrong password with
 * 401, and grants push only on the namespaces the user owns; the registry then refuses a push the
 * token does not grant.
 */
export interface TokenRegistry extends TestRegistry {
  /** Every token request, `user scope scope…` (`anonymous` without a login). */
  tokenRequests: string[];
  /** Every Authorization header the token service received. */
  tokenAuthorizations: string[];
}

const SERVICE = 'registry.test';
const ISSUER = 'token-registry-tests';

export async function startTokenRegistry(users: Record<string, { password: string; namespaces: string[] }>): Promise<TokenRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'token-registry-'));
  const signer = tokenSigner(dir, ISSUER, SERVICE);
  const tokenRequests: string[] = [];
  const tokenAuthorizations: string[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const authorization = req.headers.authorization ?? '';
    tokenAuthorizations.push(authorization);
    const [user, password] = authorization.startsWith('Basic ')
      ? Buffer.from(authorization.slice(6), 'base64').toString().split(/:(.*)/s)
      : ['', ''];
    const account = user ? users[user] : undefined;
    if (user && account?.password !== password) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    tokenRequests.push([user || 'anonymous', ...scopes].join(' '));
    const access = scopes.map((scope) => {
      const [type, name, actions] = scope.split(':');
      const owns = account?.namespaces.includes(name.split('/')[0]) ?? false;
      return { type, name, actions: actions.split(',').filter((a) => a === 'pull' || (a === 'push' && owns)) };
    });
    const token = signer.sign({ sub: user, access });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  const registry = await startRegistry({ kind: 'token', realm, service: SERVICE, issuer: ISSUER, certFile: signer.certFile });
  return {
    ...registry,
    tokenRequests,
    tokenAuthorizations,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
