import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAttestor, SIGNER } from '../../__fixtures__/fake-attestor.js';
import { context } from '../../__fixtures__/settings.js';
import { GitHubApiError } from '../../src/github/github-api.js';
import { attestationUrl, bundleSigner, createAttestor, inTotoSubject, oidcIssuer } from '../../src/github/provenance.js';
import type { RetryPolicy } from '../../src/registry/http-retry.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('the statement’s subject', () => {
  it('names the image lower-case and gives the digest by algorithm', () => {
    expect(inTotoSubject({ name: 'GHCR.io/Acme/Widget', digest: DIGEST })).toEqual({
      name: 'ghcr.io/acme/widget',
      digest: { sha256: 'ab'.repeat(32) },
    });
  });
});

describe('a signed bundle', () => {
  it('names its signer by the certificate’s SAN, and says whether a public log holds it', async () => {
    const attestor = new FakeAttestor();
    const [pub] = await attestor.sign([{ name: 'ghcr.io/acme/widget', digest: DIGEST }], 'public-good');
    const [priv] = await attestor.sign([{ name: 'ghcr.io/acme/widget', digest: DIGEST }], 'github');
    expect(bundleSigner(pub.bundle)).toEqual({ identity: SIGNER, publicLog: true });
    expect(bundleSigner(priv.bundle)).toEqual({ identity: SIGNER, publicLog: false });
    expect(() => bundleSigner(Buffer.from('{"verificationMaterial":{}}'))).toThrow('no signing certificate');
  });
});

describe('GitHub’s names', () => {
  it.each([
    ['https://github.com', 'https://token.actions.githubusercontent.com'],
    ['https://octo.ghe.com', 'https://token.actions.octo.ghe.com'],
  ])('the OIDC issuer of %s is %s', (server, issuer) => expect(oidcIssuer(server)).toBe(issuer));

  it('an attestation’s page is under the workflow’s repository', () => {
    expect(attestationUrl(context, '42')).toBe('https://github.com/Acme/Widget/attestations/42');
  });
});

describe('the attestations API', () => {
  const received: { url: string; auth: string; body: string }[] = [];
  let refuse = false;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: `${req.method} ${req.url}`, auth: req.headers.authorization ?? '', body });
      // docs.github.com, REST "Create an attestation": 201 {id}; a token without the permission, 403.
      res.writeHead(refuse ? 403 : 201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(refuse ? { message: 'Resource not accessible by integration' } : { id: 7 }));
    });
  });
  const retry: RetryPolicy = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2000, sleep: async () => undefined };
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('stores a bundle for the workflow’s repository with the job’s token, and answers its id', async () => {
    const attestor = createAttestor({ ...context, apiUrl }, 'ghs_job', retry);
    expect(await attestor.store(Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'))).toBe('7');
    expect(received[0].url).toBe('POST /repos/Acme/Widget/attestations');
    expect(received[0].auth).toBe('token ghs_job');
    expect(JSON.parse(received[0].body)).toEqual({ bundle: { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' } });
  });

  it('a refusal is GitHub’s status and words', async () => {
    refuse = true;
    const e = await createAttestor({ ...context, apiUrl }, 'ghs_job', retry)
      .store(Buffer.from('{}'))
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(GitHubApiError);
    expect(e).toMatchObject({ status: 403, githubMessage: 'Resource not accessible by integration' });
  });
});
