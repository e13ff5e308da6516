import { type KeyObject, createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, initializeTSA, rekorHandler, tsaHandler } from '@sigstore/mock';
import { tempDir } from '../../__fixtures__/temp-dir.ts';
import { type InterceptingProxy, startInterceptingProxy } from './tls-proxy.ts';

/**
 * Stand-ins for what `attest: true` talks to and cannot reach from here, under their real names
 * (see tls-proxy.ts): Sigstore's public-good Fulcio and Rekor, GitHub's Fulcio and timestamp
 * authority (Fulcio, Rekor and the TSA are @sigstore/mock's, the Sigstore project's own), GitHub
 * Actions' OIDC issuer and the runner's token endpoint, and GitHub's attestations API.
 */
const ISSUER = 'https://token.actions.githubusercontent.com';
const HOSTS = {
  fulcio: 'fulcio.sigstore.dev',
  rekor: 'rekor.sigstore.dev',
  githubFulcio: 'fulcio.githubapp.com',
  githubTsa: 'timestamp.githubapp.com',
  issuer: 'token.actions.githubusercontent.com',
  api: 'api.github.com',
};

/** The workflow job a runner's OIDC tokens describe. */
export interface OidcJob {
  /** `Owner/Name`, as GITHUB_REPOSITORY. */
  repository: string;
  ref: string;
  sha: string;
  /** The workflow file, e.g. `.github/workflows/release.yml`. */
  workflow: string;
  visibility: 'public' | 'private' | 'internal';
}

export interface StoredAttestation {
  repository: string;
  bundle: { mediaType?: string };
}

/** A Sigstore instance's trust: what cosign is given with --trusted-root, and Fulcio's root alone (PEM). */
export interface Trust {
  trustedRoot: string;
  fulcioRoot: string;
}

export class SigstoreStandIns {
  readonly dir = tempDir('sigstore-');
  /** The attestations GitHub's API stored, in order. */
  readonly attestations: StoredAttestation[] = [];
  /** `METHOD host/path` of every request the stand-ins answered. */
  readonly requests: string[] = [];
  /** Job tokens the attestations API refuses, as it refuses a job without `attestations: write`. */
  readonly withoutAttestationsWrite = new Set<string>();
  trust!: Record<'public-good' | 'github', Trust>;
  private proxy!: InterceptingProxy;
  private app!: http.Server;
  private readonly oidcKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly jobs = new Map<string, OidcJob>();
  private handlers = new Map<string, Handler>();

  async start(): Promise<void> {
    const publicGood = await sigstoreInstance({ rekor: true, fulcioUrl: `https://${HOSTS.fulcio}` });
    const github = await sigstoreInstance({ rekor: false, fulcioUrl: `https://${HOSTS.githubFulcio}` });
    this.trust = { 'public-good': this.writeTrust('public-good', publicGood.root), github: this.writeTrust('github', github.root) };
    this.handlers = new Map([
      [`POST ${HOSTS.fulcio}${publicGood.fulcio.path}`, this.fulcio(publicGood.fulcio)],
      [`POST ${HOSTS.rekor}${publicGood.witness.path}`, publicGood.witness],
      [`POST ${HOSTS.githubFulcio}${github.fulcio.path}`, this.fulcio(github.fulcio)],
      [`POST ${HOSTS.githubTsa}${github.witness.path}`, github.witness],
    ]);
    this.app = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => json(res, 500, { message: e.stack ?? e.message }));
    });
    await new Promise<void>((resolve) => this.app.listen(0, '127.0.0.1', resolve));
    this.proxy = await startInterceptingProxy(this.dir, Object.values(HOSTS), this.app);
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
    this.app.closeAllConnections();
    await new Promise((resolve) => this.app.close(resolve));
  }

  /** Hosts the proxy refused: any is a request that would have left this machine. */
  get refused(): string[] {
    return this.proxy.refused;
  }

  /**
   * The environment a runner gives a job with `id-token: write` (ACTIONS_ID_TOKEN_REQUEST_*), its
   * event payload (the repository's visibility), and the routing of the real hostnames here.
   */
  env(job: OidcJob, options: { idToken?: boolean } = {}): Record<string, string> {
    const requestToken = `runner-request-${this.jobs.size + 1}`;
    this.jobs.set(requestToken, job);
    const event = path.join(this.dir, `event-${this.jobs.size}.json`);
    writeFileSync(event, JSON.stringify({ repository: { full_name: job.repository, visibility: job.visibility } }));
    const port = (this.app.address() as AddressInfo).port;
    return {
      HTTPS_PROXY: this.proxy.url,
      https_proxy: this.proxy.url,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      NODE_EXTRA_CA_CERTS: this.proxy.caFile,
      GITHUB_EVENT_PATH: event,
      ...(options.idToken === false
        ? {}
        : {
            ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/_runner/idtoken?api-version=2.0`,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
          }),
    };
  }

  /** The identity Fulcio certifies for a job: `https://github.com/<job_workflow_ref>`. */
  identity(job: OidcJob): string {
    return `https://github.com/${workflowRef(job)}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const url = new URL(req.url ?? '/', `https://${host}`);
    const route = `${req.method} ${host}${url.pathname}`;
    this.requests.push(route);
    const handler = this.handlers.get(route);
    if (handler) return send(res, await handler.fn(body));
    // GitHub Actions' OIDC issuer: OpenID discovery and its keys (docs.github.com, "About security hardening with OpenID Connect").
    if (route === `GET ${HOSTS.issuer}/.well-known/openid-configuration`)
      return json(res, 200, { issuer: ISSUER, jwks_uri: `${ISSUER}/.well-known/jwks` });
    if (route === `GET ${HOSTS.issuer}/.well-known/jwks`) {
      return json(res, 200, { keys: [{ ...this.oidcKey.publicKey.export({ format: 'jwk' }), kid: 'stand-in', alg: 'ES256', use: 'sig' }] });
    }
    // The runner's token endpoint (@actions/core's oidc-utils): the bearer is ACTIONS_ID_TOKEN_REQUEST_TOKEN, the answer {value}.
    if (req.method === 'GET' && host === '127.0.0.1' && url.pathname === '/_runner/idtoken') {
      const job = this.jobs.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!job) return json(res, 401, { message: 'Unauthorized' });
      return json(res, 200, { value: this.token(job, url.searchParams.get('audience') ?? ISSUER) });
    }
    // GitHub's REST API, "Create an attestation": 201 {id}; a token without the permission gets GitHub's 403.
    const store = route.match(new RegExp(`^POST ${HOSTS.api}/repos/([^/]+)/([^/]+)/attestations$`));
    if (store) {
      const token = (req.headers.authorization ?? '').replace(/^(token|Bearer) /i, '');
      if (this.withoutAttestationsWrite.has(token)) return json(res, 403, { message: 'Resource not accessible by integration' });
      const { bundle } = JSON.parse(body) as StoredAttestation;
      this.attestations.push({ repository: `${store[1]}/${store[2]}`, bundle });
      return json(res, 201, { id: this.attestations.length });
    }
    return json(res, 404, { message: `no stand-in for ${route}` });
  }

  /** An Actions OIDC token with the claims GitHub documents, signed ES256 by the issuer's key. */
  private token(job: OidcJob, audience: string): string {
    const [owner] = job.repository.split('/');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ISSUER,
      aud: audience,
      sub: `repo:${job.repository}:ref:${job.ref}`,
      iat: now,
      nbf: now - 60,
      exp: now + 600,
      ref: job.ref,
      sha: job.sha,
      repository: job.repository,
      repository_owner: owner,
      repository_id: '101',
      repository_owner_id: '202',
      repository_visibility: job.visibility,
      run_id: '42',
      run_number: '7',
      run_attempt: '1',
      actor: 'octocat',
      event_name: 'push',
      workflow: 'release',
      workflow_ref: workflowRef(job),
      workflow_sha: job.sha,
      job_workflow_ref: workflowRef(job),
      job_workflow_sha: job.sha,
      runner_environment: 'github-hosted',
    };
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const signed = `${encode({ alg: 'ES256', typ: 'JWT', kid: 'stand-in' })}.${encode(claims)}`;
    const signature = sign('sha256', Buffer.from(signed), { key: this.oidcKey.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signed}.${signature.toString('base64url')}`;
  }

  /**
   * Fulcio checks the token against its issuer and, for GitHub Actions, certifies
   * `https://github.com/<job_workflow_ref>` (Fulcio's docs, "OIDC usage": GitHub's build signer
   * URI). The mock certifies a claim it is told to take and checks nothing: this checks the
   * signature and audience, then hands it that claim.
   */
  private fulcio(mock: Handler): Handler {
    return {
      path: mock.path,
      fn: async (body) => {
        const request = JSON.parse(body) as { credentials: { oidcIdentityToken: string } };
        const [head, payload, signature] = request.credentials.oidcIdentityToken.split('.');
        const valid = verify(
          'sha256',
          Buffer.from(`${head}.${payload}`),
          { key: this.oidcKey.publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(signature, 'base64url'),
        );
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: string; job_workflow_ref?: string };
        if (!valid || claims.aud !== 'sigstore') return { statusCode: 401, response: 'the identity token is not valid for sigstore' };
        const withSan = { ...claims, x_fulcio_san: `https://github.com/${claims.job_workflow_ref}` };
        request.credentials.oidcIdentityToken = `${head}.${Buffer.from(JSON.stringify(withSan)).toString('base64url')}.${signature}`;
        return mock.fn(JSON.stringify(request));
      },
    };
  }

  private writeTrust(name: string, root: TrustedRoot): Trust {
    const trustedRoot = path.join(this.dir, `trusted-root.${name}.json`);
    writeFileSync(trustedRoot, JSON.stringify(root, null, 2));
    const der = root.certificateAuthorities[0].certChain.certificates[0].rawBytes;
    const fulcioRoot = path.join(this.dir, `fulcio-root.${name}.pem`);
    writeFileSync(fulcioRoot, `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`);
    return { trustedRoot, fulcioRoot };
  }
}

type Handler = ReturnType<typeof fulcioHandler>;
type HandlerResult = Awaited<ReturnType<Handler['fn']>>;
type TrustedRoot = Awaited<ReturnType<typeof sigstoreInstance>>['root'];

function workflowRef(job: OidcJob): string {
  return `${job.repository}/${job.workflow}@${job.ref}`;
}

const b64 = (bytes: ArrayBufferView | Buffer) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' });

/**
 * One Sigstore instance of @sigstore/mock: a Fulcio CA with its CT log, and a Rekor log (the
 * public-good instance) or a timestamp authority (GitHub's, which has no public log), with the
 * trusted root (protobuf-specs' TrustedRoot, as `cosign --trusted-root` reads it) that trusts them.
 */
async function sigstoreInstance(options: { rekor: boolean; fulcioUrl: string }) {
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const ctlog = await initializeCTLog(ec());
  const ca = await initializeCA(ec(), ctlog);
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [] as object[],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: options.fulcioUrl,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ctfe.sigstore.dev/test',
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(ctlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: b64(ctlog.logID) },
      },
    ],
    timestampAuthorities: [] as object[],
  };
  let witness: Handler;
  if (options.rekor) {
    const key = ec();
    witness = rekorHandler(await initializeTLog(`https://${HOSTS.rekor}`, key));
    root.tlogs.push({
      baseUrl: `https://${HOSTS.rekor}`,
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(spki(key.publicKey)), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: createHash('sha256').update(spki(key.publicKey)).digest('base64') },
    });
  } else {
    const tsa = await initializeTSA(ec());
    witness = tsaHandler(tsa);
    root.timestampAuthorities.push({
      subject: { organization: 'sigstore.mock', commonName: 'tsa' },
      uri: `https://${HOSTS.githubTsa}`,
      certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
      validFor: { start },
    });
  }
  return { fulcio: fulcioHandler(ca, { subjectClaim: 'x_fulcio_san' }), witness, root };
}

function send(res: http.ServerResponse, result: HandlerResult): void {
  res.writeHead(result.statusCode, { 'content-type': result.contentType ?? 'text/plain' });
  res.end(typeof result.response === 'string' ? result.response : Buffer.from(b64(result.response), 'base64'));
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
