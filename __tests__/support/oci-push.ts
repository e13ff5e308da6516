import { createHash } from 'node:crypto';

/**
 * Pushes blobs and manifests to a registry with its HTTP API, as a client with `login:secret`
 * would: the token from the registry's challenge, a monolithic upload, a manifest PUT.
 */
export class OciPusher {
  private token = '';

  constructor(
    private readonly host: string,
    private readonly repository: string,
    private readonly basic: string,
  ) {}

  /** A blob; its digest. */
  async blob(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const start = await this.send('POST', `/v2/${this.repository}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location') ?? '', `http://${this.host}`);
    location.searchParams.set('digest', digest);
    const put = await this.send('PUT', location.pathname + location.search, bytes, 'application/octet-stream');
    if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
    return digest;
  }

  /** A manifest under `reference` (a tag, or its own digest); its digest. */
  async manifest(reference: string | undefined, json: object): Promise<string> {
    return (await this.manifestSized(reference, json)).digest;
  }

  private async manifestSized(reference: string | undefined, json: object): Promise<Pushed> {
    const body = Buffer.from(JSON.stringify(json));
    const digest = sha256(body);
    const type = (json as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
    const res = await this.send('PUT', `/v2/${this.repository}/manifests/${reference ?? digest}`, body, type);
    if (res.status !== 201) throw new Error(`manifest ${reference ?? digest}: ${res.status} ${await res.text()}`);
    return { digest, size: body.length, blobs: [] };
  }

  /** An image of one small layer for `platform`. `extra` goes into the manifest. */
  async image(reference: string | undefined, platform: string, content: string, extra: object = {}): Promise<Pushed> {
    const [os, architecture] = platform.split('/');
    const layer = Buffer.from(content);
    const config = Buffer.from(JSON.stringify({ os, architecture, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
    const blobs = [await this.blob(config), await this.blob(layer)];
    const pushed = await this.manifestSized(reference, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blobs[0], size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: blobs[1], size: layer.length }],
      ...extra,
    });
    return { ...pushed, blobs };
  }

  /** An OCI index of `children` (manifests already pushed). */
  async index(reference: string | undefined, children: (Pushed & { platform?: string })[], extra: object = {}): Promise<Pushed> {
    return this.manifestSized(reference, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: children.map((c) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: c.digest,
        size: c.size,
        ...(c.platform ? { platform: { os: c.platform.split('/')[0], architecture: c.platform.split('/')[1] } } : {}),
      })),
      ...extra,
    });
  }

  /** GET or HEAD through the registry with this pusher's token. */
  async send(method: string, path: string, body?: Buffer, type?: string, accept?: string): Promise<Response> {
    const url = `http://${this.host}${path}`;
    const headers = (): Record<string, string> => ({
      ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      ...(type ? { 'content-type': type } : {}),
      ...(accept ? { Accept: accept } : {}),
    });
    let res = await fetch(url, { method, headers: headers(), body: body ? new Uint8Array(body) : undefined });
    if (res.status !== 401) return res;
    await res.body?.cancel();
    const challenge = res.headers.get('www-authenticate') ?? '';
    const realm = challenge.match(/realm="([^"]+)"/)?.[1] ?? '';
    const service = challenge.match(/service="([^"]+)"/)?.[1] ?? '';
    const tokenUrl = `${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(`repository:${this.repository}:pull,push`)}`;
    const answer = await fetch(tokenUrl, { headers: { Authorization: `Basic ${Buffer.from(this.basic).toString('base64')}` } });
    this.token = ((await answer.json()) as { token: string }).token;
    res = await fetch(url, { method, headers: headers(), body: body ? new Uint8Array(body) : undefined });
    return res;
  }
}

export interface Pushed {
  digest: string;
  size: number;
  /** An image's config and layer. */
  blobs: string[];
}

export const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
