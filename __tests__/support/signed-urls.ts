import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Where ghcr.io sends blob reads: `GET /v2/<name>/blobs/<digest>` answers 307 to a short-lived
 * signed URL on another host (pkg-containers.githubusercontent.com; aquasecurity/trivy's
 * troubleshooting docs, containerd/stargz-snapshotter#167). Such hosts refuse a request that
 * carries an `Authorization` header besides the signature (oven-sh/bun#31347): here, a second
 * loopback origin answering 400 as S3 does. Each URL serves the bytes it was signed for.
 */
export class SignedUrlHost {
  /** Every request it got: path without the signature, whether it carried Authorization, the status. */
  readonly requests: { path: string; authorization: boolean; status: number }[] = [];
  private readonly held = new Map<string, { bytes: Buffer; type: string; until: number }>();
  private server!: http.Server;

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      req.resume();
      const url = new URL(req.url ?? '/', this.origin);
      const seen = { path: url.pathname, authorization: req.headers.authorization !== undefined, status: 0 };
      this.requests.push(seen);
      const answer = (status: number, body: string | Buffer, type = 'application/xml') => {
        seen.status = status;
        res
          .writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
          .end(req.method === 'HEAD' ? undefined : body);
      };
      if (seen.authorization) {
        return answer(400, '<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>');
      }
      const entry = this.held.get(url.pathname);
      if (!entry || url.searchParams.get('sig') !== 'signed' || entry.until < Date.now()) {
        return answer(403, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      }
      answer(200, entry.bytes, entry.type);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** A signed URL serving `bytes` for a minute, as the registry's redirect would name it. */
  sign(bytes: Buffer, type: string): string {
    const path = `/containers/${randomUUID()}`;
    this.held.set(path, { bytes, type, until: Date.now() + 60_000 });
    return `${this.origin}${path}?sig=signed&se=${Date.now() + 60_000}`;
  }
}
