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
const V1 = '/_apis/artifactcache/';
/**
 * The stable prefix of a write the service refuses to a read-only token (`pull_request_target`,
 * `check_run`, fork pull requests): actions/toolkit#2429, actions/cache#1768.
 */
const WRITE_DENIED = 'cache write denied: the token of this workflow run may only read the cache';

/**
 * A stand-in for the Actions cache service, for the real @actions/cache. v2, as github.com and
 * GHE.com run it: its Twirp JSON API (proto field names), and blob storage that answers as Azure
 * Blob storage does for signed URLs (Put Blob, Put Block, Put Block List, Get Blob). v1, as GitHub
 * Enterprise Server runs it (`ACTIONS_CACHE_URL`, `_apis/artifactcache/…`: look up, reserve,
 * PATCH chunks with Content-Range, commit). Entries match by version, then the key exactly, then by
 * prefix of the key and each restore key, newest first; a key is written once (409).
 */
export class FakeCacheService {
  readonly token = `runtime-${randomUUID()}`;
  readonly entries: Entry[] = [];
  /** Every API method called, in order: Twirp's by name, v1's as `v1 METHOD resource`. */
  readonly calls: string[] = [];
  /** The run's token may only read: writes answer `cache write denied: …`, as for `pull_request_target`. */
  readOnly = false;
  private readonly blobs = new Map<string, Buffer>();
  private readonly blocks = new Map<string, Buffer>();
  private server!: http.Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** What a runner on github.com sets for @actions/cache to find the service (v2). */
  get env(): Record<string, string> {
    return { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: this.url, ACTIONS_RUNTIME_TOKEN: this.token };
  }

  /**
   * What a GitHub Enterprise Server runner sets: `ACTIONS_CACHE_URL`, the v1 service, which
   * @actions/cache picks for a server that is not github.com or GHE.com (its isGhes()).
   */
  get enterpriseEnv(): Record<string, string> {
    return { ACTIONS_CACHE_URL: this.url, ACTIONS_RUNTIME_TOKEN: this.token };
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
      void res.writeHead(status, { 'content-type': 'application/json' }).end(value === undefined ? undefined : JSON.stringify(value));
    if (url.pathname.startsWith(SERVICE) || url.pathname.startsWith(V1)) {
      if (req.headers.authorization !== `Bearer ${this.token}`) return json(401, { code: 'unauthenticated', msg: 'invalid token' });
      if (url.pathname.startsWith(V1)) return json(...this.v1(req.method ?? '', url, req.headers['content-range'], body));
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
    if ((req.method === 'GET' || req.method === 'HEAD') && data) {
      // A range, as the Azure SDK asks for its blocks (`x-ms-range`, or `Range`): 206 with that part only.
      const asked = String(req.headers['x-ms-range'] ?? req.headers.range ?? '').match(/^bytes=(\d+)-(\d*)$/);
      const meta = { ...headers, 'Accept-Ranges': 'bytes', 'x-ms-blob-type': 'BlockBlob' };
      if (!asked) return void res.writeHead(200, { ...meta, 'Content-Length': data.length }).end(req.method === 'GET' ? data : undefined);
      const start = Number(asked[1]);
      const end = Math.min(asked[2] ? Number(asked[2]) : data.length - 1, data.length - 1);
      if (start >= data.length) return void res.writeHead(416, { ...meta, 'Content-Range': `bytes */${data.length}` }).end();
      const part = data.subarray(start, end + 1);
      const range = { 'Content-Range': `bytes ${start}-${end}/${data.length}`, 'Content-Length': part.length };
      return void res.writeHead(206, { ...meta, ...range }).end(req.method === 'GET' ? part : undefined);
    }
    json(404, { message: 'BlobNotFound' });
  }

  private signed(blob: string): string {
    return `${this.url}devstoreaccount1/cache/${blob}?sig=test`;
  }

  /** The newest finalized entry of `version` for the key, else for the first key of which one is a prefix. */
  private match(version: string, keys: string[]): Entry | undefined {
    const ready = this.entries.filter((e) => e.finalized && e.version === version).sort((a, b) => b.created - a.created);
    return ready.find((e) => e.key === keys[0]) ?? keys.map((prefix) => ready.find((e) => e.key.startsWith(prefix))).find(Boolean);
  }

  /** A new entry, unless the key exists or the token may only read: the entry, or the refusal's status and words. */
  private reserve(key: string, version: string): Entry | [number, string] {
    if (this.readOnly) return [403, WRITE_DENIED];
    if (this.entries.some((e) => e.key === key && e.version === version)) {
      return [409, 'cache entry with the same key and version already exists'];
    }
    const entry = { key, version, blob: randomUUID(), created: Date.now() + this.entries.length, finalized: false };
    this.entries.push(entry);
    return entry;
  }

  private twirp(method: string, input: Record<string, string | string[]>): [number, unknown] {
    const key = String(input.key ?? '');
    const version = String(input.version ?? '');
    if (method === 'GetCacheEntryDownloadURL') {
      const match = this.match(version, [key, ...((input.restore_keys ?? input.restoreKeys ?? []) as string[])]);
      return [200, match ? { ok: true, signed_download_url: this.signed(match.blob), matched_key: match.key } : { ok: false }];
    }
    if (method === 'CreateCacheEntry') {
      const entry = this.reserve(key, version);
      if (!Array.isArray(entry)) return [200, { ok: true, signed_upload_url: this.signed(entry.blob) }];
      // A read-only token is told in the answer's message (the library reads `ok` and `message`).
      if (entry[0] === 403) return [200, { ok: false, message: entry[1] }];
      return [409, { code: 'already_exists', msg: entry[1] }];
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const entry = this.entries.find((e) => e.key === key && e.version === version && !e.finalized);
      if (!entry || !this.blobs.has(entry.blob)) return [404, { code: 'not_found', msg: 'no upload for this key' }];
      entry.finalized = true;
      return [200, { ok: true, entry_id: String(this.entries.indexOf(entry) + 1) }];
    }
    return [404, { code: 'bad_route', msg: `no method ${method}` }];
  }

  /** v1: `GET cache?keys=&version=` (204 on a miss), `POST caches` (reserve), `PATCH caches/{id}` (a chunk), `POST caches/{id}` (commit). */
  private v1(method: string, url: URL, range: string | undefined, body: Buffer): [number, unknown] {
    const resource = url.pathname.slice(V1.length);
    this.calls.push(`v1 ${method} ${resource.replace(/\d+$/, '{id}')}`);
    const id = Number(resource.match(/^caches\/(\d+)$/)?.[1]);
    const entry = this.entries[id - 1] as Entry | undefined;
    if (method === 'GET' && resource === 'cache') {
      const match = this.match(url.searchParams.get('version') ?? '', (url.searchParams.get('keys') ?? '').split(','));
      if (!match) return [204, undefined];
      return [
        200,
        { scope: 'refs/heads/main', cacheKey: match.key, cacheVersion: match.version, archiveLocation: this.signed(match.blob) },
      ];
    }
    if (method === 'POST' && resource === 'caches') {
      const input = JSON.parse(body.toString() || '{}') as { key?: string; version?: string };
      const reserved = this.reserve(String(input.key ?? ''), String(input.version ?? ''));
      if (Array.isArray(reserved)) return [reserved[0], { message: reserved[1], typeKey: 'ReserveCacheException' }];
      return [201, { cacheId: this.entries.indexOf(reserved) + 1 }];
    }
    if (!entry || entry.finalized) return [404, { message: `no cache ${id} being written` }];
    if (method === 'PATCH') {
      const start = Number(range?.match(/^bytes (\d+)-\d+\/\*$/)?.[1] ?? NaN);
      if (Number.isNaN(start)) return [400, { message: 'a Content-Range of bytes start-end/* is required' }];
      const held = this.blobs.get(entry.blob) ?? Buffer.alloc(0);
      const grown = Buffer.alloc(Math.max(held.length, start + body.length));
      held.copy(grown);
      body.copy(grown, start);
      this.blobs.set(entry.blob, grown);
      return [204, undefined];
    }
    if (method === 'POST') {
      const { size } = JSON.parse(body.toString() || '{}') as { size?: number };
      if (size !== (this.blobs.get(entry.blob)?.length ?? 0)) return [400, { message: `the cache holds another size than ${size}` }];
      entry.finalized = true;
      return [204, undefined];
    }
    return [404, { message: `no ${method} ${resource}` }];
  }
}
