import { currentContext } from './docker-config.js';

/**
 * The engine's HTTP API over its unix socket: an answer in a few milliseconds where a docker CLI
 * process costs a hundred or more. Undefined when the engine is elsewhere (DOCKER_HOST over TCP or
 * SSH, a docker context) or does not answer: the caller then asks the CLI.
 */
export function engineGet(env: NodeJS.ProcessEnv, apiPath: string): Promise<unknown> {
  const socket = socketOf(env);
  if (!socket) return Promise.resolve(undefined);
  // Loaded when first asked: an import of node:http would load Node's WebSocket client in every step.
  const http = process.getBuiltinModule('node:http');
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: apiPath, headers: { Host: 'docker' }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as unknown) : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** The unix socket docker would use: DOCKER_HOST's, or the default one when no other context is chosen. */
function socketOf(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCKER_HOST) return env.DOCKER_HOST.startsWith('unix://') ? env.DOCKER_HOST.slice('unix://'.length) : undefined;
  return currentContext(env) === 'default' ? '/var/run/docker.sock' : undefined;
}
