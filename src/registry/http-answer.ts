import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** An answer's headers, read as fetch's `Headers` reads them. */
export type AnswerHeaders = Pick<Headers, 'get' | 'has'>;

/**
 * The part of fetch's `Response` the registry client reads. fetch's own classes are not used:
 * loading them (Node's undici) costs 50–70 ms of a step's start, more than the push check.
 */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: AnswerHeaders;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Headers as node:http gives them (lower-case names). */
export class MessageHeaders implements AnswerHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/** An answer whose body was read whole (`Buffer`), is still streaming (`Readable`), or is absent. */
export class Answer implements HttpAnswer {
  private stream?: ReadableStream<Uint8Array> | null;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: AnswerHeaders,
    private readonly content: Buffer | Readable | null,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.stream === undefined) this.stream = this.content === null ? null : toWeb(this.content);
    return this.stream;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  private async bytes(): Promise<Buffer> {
    if (this.content === null) return Buffer.alloc(0);
    if (Buffer.isBuffer(this.content)) return this.content;
    const chunks: Buffer[] = [];
    for await (const chunk of this.content) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

function toWeb(content: Buffer | Readable): ReadableStream<Uint8Array> {
  if (!Buffer.isBuffer(content)) {
    const { Readable: NodeReadable } = process.getBuiltinModule('node:stream');
    return NodeReadable.toWeb(content) as ReadableStream<Uint8Array>;
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (content.length > 0) controller.enqueue(new Uint8Array(content));
      controller.close();
    },
  });
}
