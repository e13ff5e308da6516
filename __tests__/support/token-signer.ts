import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What a token service needs to issue tokens the CNCF Distribution registry accepts: a key and
 * its self-signed certificate in `dir` (the registry's `rootcertbundle`), and RS256 JWTs whose
 * header carries that certificate in `x5c`, with `iss`, `aud`, `nbf` and `exp` claims.
 */
export interface TokenSigner {
  certFile: string;
  sign(claims: Record<string, unknown>): string;
}

export function tokenSigner(dir: string, issuer: string, service: string): TokenSigner {
  const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${issuer}`, '-keyout', keyFile, '-out', certFile],
    {
      stdio: 'ignore',
    },
  );
  const key = readFileSync(keyFile, 'utf8');
  const certDer = readFileSync(certFile, 'utf8').replace(/-----[^-]+-----|\s/g, '');
  return {
    certFile,
    sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const header = b64({ alg: 'RS256', typ: 'JWT', x5c: [certDer] });
      const payload = b64({ iss: issuer, aud: service, iat: now, nbf: now - 10, exp: now + 300, ...claims });
      return `${header}.${payload}.${createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key).toString('base64url')}`;
    },
  };
}
