import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Entry {
  key: string;
  version: string;
  blob: string;
  created: number;
  finalized: boolean;
}

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';

/**
 * A stand-in for the Actions cache service (v2, as github.com runs it): its Twirp JSON API, and
 * blob storage that answers as Azure Blob storage does for signed URLs (Put Blob, Put Block,
 * Put Block List, Get Blob). Entries match by version, then the key exactly, then by prefix of
 * the key and each restore key, newest first; a key is written once.
 */
export class FakeCacheService {
  readonly token = `runtime-${randomUUID()}`;
  readonly entries: Entry[] = [];
  /** Every Twirp method called, in order. */
  readonly calls: string[] = [];
  private readonly blobs = new Map<string, Buffer>();
  private readonly blocks = new Map<string, Buffer>();
  private server!: http.Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** What a runner sets for @actions/cache to find the service. */
  get env(): Record<string, string> {
    return { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: this.url, ACTIONS_RUNTIME_TOKEN: this.token };
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, value: unknown) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname.startsWith(SERVICE)) {
      if (req.headers.authorization !== `Bearer ${this.token}`) return json(401, { code: 'unauthenticated', msg: 'invalid token' });
      const method = url.pathname.slice(SERVICE.length);
      this.calls.push(method);
      const input = JSON.parse(body.toString() || '{}') as Record<string, string | string[]>;
      return json(...this.twirp(method, input));
    }
    const blob = url.pathname.match(/^\/devstoreaccount1\/cache\/([\w-]+)$/)?.[1];
    if (!blob || url.searchParams.get('sig') !== 'test') return json(403, { message: 'AuthenticationFailed' });
    const headers = {
      ETag: `"${randomUUID()}"`,
      'Last-Modified': new Date().toUTCString(),
      'x-ms-request-id': randomUUID(),
      'x-ms-version': '2024-11-04',
    };
    if (req.method === 'PUT' && url.searchParams.get('comp') === 'block') {
      this.blocks.set(`${blob}/${url.searchParams.get('blockid')}`, body);
      return void res.writeHead(201, headers).end();
    }
    if (req.method === 'PUT' && url.searchParams.get('comp') === 'blocklist') {
      const ids = [...body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)<\//g)].map((m) => m[1]);
      this.blobs.set(blob, Buffer.concat(ids.map((id) => this.blocks.get(`${blob}/${id}`) ?? Buffer.alloc(0))));
      return void res.writeHead(201, headers).end();
    }
    if (req.method === 'PUT') {
      this.blobs.set(blob, body);
      return void res.writeHead(201, headers).end();
    }
    const data = this.blobs.get(blob);
    if (req.method === 'GET' && data) return void res.writeHead(200, { ...headers, 'Content-Length': data.length }).end(data);
    json(404, { message: 'BlobNotFound' });
  }

  private twirp(method: string, input: Record<string, string | string[]>): [number, unknown] {
    const key = String(input.key ?? '');
    const version = String(input.version ?? '');
    const signed = (blob: string) => `${this.url}devstoreaccount1/cache/${blob}?sig=test`;
    if (method === 'GetCacheEntryDownloadURL') {
      const ready = this.entries.filter((e) => e.finalized && e.version === version).sort((a, b) => b.created - a.created);
      const restoreKeys = (input.restore_keys ?? input.restoreKeys ?? []) as string[];
      const match =
        ready.find((e) => e.key === key) ??
        [key, ...restoreKeys].map((prefix) => ready.find((e) => e.key.startsWith(prefix))).find(Boolean);
      return [200, match ? { ok: true, signed_download_url: signed(match.blob), matched_key: match.key } : { ok: false }];
    }
    if (method === 'CreateCacheEntry') {
      if (this.entries.some((e) => e.key === key && e.version === version)) {
        return [409, { code: 'already_exists', msg: 'cache entry with the same key and version already exists' }];
      }
      const entry = { key, version, blob: randomUUID(), created: Date.now() + this.entries.length, finalized: false };
      this.entries.push(entry);
      return [200, { ok: true, signed_upload_url: signed(entry.blob) }];
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const entry = this.entries.find((e) => e.key === key && e.version === version && !e.finalized);
      if (!entry || !this.blobs.has(entry.blob)) return [404, { code: 'not_found', msg: 'no upload for this key' }];
      entry.finalized = true;
      return [200, { ok: true, entry_id: String(this.entries.indexOf(entry) + 1) }];
    }
    return [404, { code: 'bad_route', msg: `no method ${method}` }];
  }
}
