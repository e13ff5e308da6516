import type { Agent } from 'node:http';
import type { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Answer, type HttpAnswer, MessageHeaders } from './http-answer.js';

/** Statuses whose answer has no body. */
const NO_BODY = new Set([101, 204, 205, 304]);

export type RequestBody = string | Uint8Array | Readable | ReadableStream;

export interface RequestOptions {
  /**
   * A streamed body (a layer) or answer is ended when no byte moves for this long, however long
   * the whole transfer takes; any other request when its whole answer has not come in this time.
   */
  timeoutMs: number;
  /** Hand the answer's body on as it arrives (a layer read for a copy) instead of reading it whole. */
  streamAnswer?: boolean;
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read (default: the step's environment). */
  env?: NodeJS.ProcessEnv;
}

/**
 * One HTTP request through node:http(s). A streamed body is sent with backpressure, a few buffers
 * at a time, never held whole: Node's fetch held a 1 GiB layer's body whole (1.1 GB of memory,
 * against 0.13 GB here, measured). Answers are read whole unless `streamAnswer`. Redirects are
 * returned, never followed. Fails with a `TimeoutError` when the time runs out. Goes through the
 * proxy the runner names (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), as @actions/http-client does.
 */
export function httpRequest(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: RequestBody | undefined,
  options: RequestOptions,
): Promise<HttpAnswer> {
  const target = new URL(url);
  const client = process.getBuiltinModule(target.protocol === 'https:' ? 'node:https' : 'node:http');
  const agent = agentFor(target.protocol, options.env ?? process.env);
  const streamed = body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
  const source = streamed ? nodeStream(body) : undefined;
  const sent = { 'User-Agent': 'ghcr-publish', ...headers };
  return new Promise<HttpAnswer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    const timeUp = (what: string) => Object.assign(new Error(`${what} for ${options.timeoutMs / 1000} s`), { name: 'TimeoutError' });
    const request = client.request(target, { method, headers: sent, agent }, (res) => {
      answered = true;
      // An answer before the whole body was sent (a refusal): stop reading the source.
      const early = !request.writableFinished;
      if (early) source?.destroy();
      const status = res.statusCode ?? 0;
      const answerHeaders = new MessageHeaders(res.headers);
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      if (options.streamAnswer && status === 200) {
        clearTimeout(timer);
        resolve(new Answer(status, res.statusMessage ?? '', answerHeaders, res));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        if (early) request.destroy();
        const content = method === 'HEAD' || NO_BODY.has(status) ? null : Buffer.concat(chunks);
        resolve(new Answer(status, res.statusMessage ?? '', answerHeaders, content));
      });
    });
    if (streamed || options.streamAnswer) {
      request.setTimeout(options.timeoutMs, () => request.destroy(timeUp('no byte moved')));
    } else {
      timer = setTimeout(() => request.destroy(timeUp('no whole answer')), options.timeoutMs);
    }
    request.on('error', (e) => {
      clearTimeout(timer);
      source?.destroy();
      reject(e);
    });
    if (source) {
      const { pipeline } = process.getBuiltinModule('node:stream/promises');
      pipeline(source, request).catch((e: Error) => void (answered || request.destroy(e)));
    } else {
      request.end(body);
    }
  });
}

function nodeStream(body: Readable | ReadableStream): Readable {
  const { Readable: NodeReadable } = process.getBuiltinModule('node:stream');
  return body instanceof NodeReadable ? body : NodeReadable.fromWeb(body as WebReadableStream);
}

/** One keep-alive agent per environment and protocol; Node (from 24.5) applies the proxy variables. */
const agents = new WeakMap<NodeJS.ProcessEnv, Map<string, Agent>>();

function agentFor(protocol: string, env: NodeJS.ProcessEnv): Agent {
  const own = agents.get(env) ?? agents.set(env, new Map()).get(env)!;
  let agent = own.get(protocol);
  if (!agent) {
    const { Agent: AgentClass } = process.getBuiltinModule(protocol === 'https:' ? 'node:https' : 'node:http');
    agent = new AgentClass({ keepAlive: true, proxyEnv: env });
    own.set(protocol, agent);
  }
  return agent;
}
