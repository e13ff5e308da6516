import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestRegistry, startRegistry } from './registry.ts';
import { SignedUrlHost } from './signed-urls.ts';

/**
 * A registry's worst day, for tests: an HTTP proxy in front of a registry (or a stand-in) that
 * passes everything through, except the faults a test injects. Plain HTTP on 127.0.0.1, so the
 * real docker engine (which treats 127.0.0.0/8 as an insecure registry) can push through it too.
 */
export interface FaultRule {
  method: string;
  /** Tested against the path with its query, e.g. /^\/v2\/.+\/blobs\/uploads\/$/ */
  path: RegExp;
  /**
   * An answer with the registry's JSON error body (`message` as the registry's words, e.g. a rate
   * limit's); 'reset': the socket destroyed mid-request; 'redirect': the registry's own 200
   * answer moved to a signed URL on another origin (`signedUrls`) and answered with a 307 to it,
   * as ghcr.io answers blob reads; 'refuse-mount': a cross-repository mount passed on without its
   * `mount` and `from`, so the registry opens an ordinary upload session (202) instead of mounting
   * (201), as the distribution spec allows a registry to (opencontainers/distribution-spec#204).
   */
  fault: { status: number; retryAfter?: string; message?: string } | 'reset' | 'redirect' | 'refuse-mount';
  /** How many matching requests get the fault; Infinity for a fault that persists. */
  times: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  /** The status answered; 0 for a reset. */
  status: number;
  /** Bytes of the request's body that reached the proxy. */
  bytesIn: number;
  /** The credential the request carried, if any: which secrets reached this registry. */
  authorization?: string;
}

export interface FaultProxy {
  host: string;
  url: string;
  requests: SeenRequest[];
  /** Where 'redirect' sends reads. */
  signedUrls: SignedUrlHost;
  inject(rule: FaultRule): void;
  /** Removes every rule; `requests` is kept. */
  clear(): void;
  stop(): Promise<void>;
}

const CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  429: 'TOOMANYREQUESTS',
  500: 'UNKNOWN',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
};

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const rules: FaultRule[] = [];
  const requests: SeenRequest[] = [];
  const signedUrls = new SignedUrlHost();
  await signedUrls.start();
  let host = '';

  const server = http.createServer((req, res) => {
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: req.url ?? '/',
      status: 0,
      bytesIn: 0,
      authorization: req.headers.authorization,
    };
    requests.push(seen);
    req.on('data', (chunk: Buffer) => (seen.bytesIn += chunk.length));
    const rule = rules.find((r) => r.times > 0 && r.method === seen.method && r.path.test(seen.path));
    let forward = req.url ?? '/';
    const redirect = rule?.fault === 'redirect' ? rule : undefined;
    if (rule?.fault === 'refuse-mount') {
      rule.times--;
      forward = forward.replace(/\?.*$/, '');
    } else if (rule && rule.fault !== 'redirect') {
      rule.times--;
      const { fault } = rule;
      if (fault === 'reset') {
        // Part of a body first, as a connection that drops mid-upload; a request without one at once.
        const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
        if (!hasBody) return req.socket.destroy();
        req.once('data', () => req.socket.destroy());
        req.once('end', () => req.socket.destroy());
        return;
      }
      seen.status = fault.status;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      if (fault.status === 401) headers['www-authenticate'] = 'Basic realm="fault-proxy"';
      const body = JSON.stringify({
        errors: [{ code: CODES[fault.status] ?? 'UNKNOWN', message: fault.message ?? `injected ${fault.status} by the fault proxy` }],
      });
      req.resume();
      req.on('end', () => res.writeHead(fault.status, headers).end(body));
      return;
    }
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: forward, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        seen.status = up.statusCode ?? 0;
        if (redirect && up.statusCode === 200) {
          redirect.times--;
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            seen.status = 307;
            const location = signedUrls.sign(Buffer.concat(chunks), up.headers['content-type'] ?? 'application/octet-stream');
            res.writeHead(307, { location, 'content-length': 0 }).end();
          });
          return;
        }
        const headers: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(up.headers)) {
          headers[k] = typeof v === 'string' ? v.split(upstream.host).join(host) : v;
        }
        res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    // A client that hangs up mid-request: the registry sees the same.
    req.on('close', () => !req.complete && out.destroy());
    req.pipe(out);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    url: `http://${host}`,
    requests,
    signedUrls,
    inject: (rule) => void rules.push({ ...rule }),
    clear: () => void rules.splice(0),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await signedUrls.stop();
    },
  };
}

/** A real htpasswd registry with a fault proxy in front, for one test file; `stop` ends both. */
export async function registryBehindProxy(
  users: Record<string, string>,
): Promise<{ registry: TestRegistry; proxy: FaultProxy; stop: () => Promise<void> }> {
  const registry = await startRegistry({ kind: 'htpasswd', users });
  const proxy = await startFaultProxy(registry.url);
  return {
    registry,
    proxy,
    stop: async () => {
      await proxy.stop();
      await registry.stop();
    },
  };
}
