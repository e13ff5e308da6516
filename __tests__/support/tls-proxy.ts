import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

/**
 * How a test sends the real hostnames of services it cannot reach to stand-ins on 127.0.0.1,
 * with no hook in the code under test: the child process gets `HTTPS_PROXY` (which @actions/core's
 * http-client, Octokit's fetch and sigstore-js's make-fetch-happen all honour), `NO_PROXY` for
 * loopback, and `NODE_EXTRA_CA_CERTS` naming a throw-away CA. This proxy answers `CONNECT` for
 * the listed hosts only, with a certificate of that CA for them, and hands the decrypted requests
 * to `app`; every other host gets 403, so nothing can reach the real service.
 */
export interface InterceptingProxy {
  /** `http://127.0.0.1:<port>`, for HTTPS_PROXY. */
  url: string;
  /** The CA's certificate (PEM file), for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Every `CONNECT host:port` answered, in order. */
  connects: string[];
  /** Every request refused (a host not listed, or not a CONNECT). */
  refused: string[];
  stop(): Promise<void>;
}

export async function startInterceptingProxy(dir: string, hosts: string[], app: http.Server): Promise<InterceptingProxy> {
  const { key, cert, caFile } = certificates(dir, hosts);
  const connects: string[] = [];
  const refused: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const [method, target] = head.subarray(0, end).toString('latin1').split(' ');
      const [host, port] = (target ?? '').split(':');
      if (method !== 'CONNECT' || port !== '443' || !hosts.includes(host)) {
        refused.push(`${method} ${target}`);
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        return;
      }
      connects.push(`${method} ${target}`);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      const secure = new tls.TLSSocket(socket, { isServer: true, key, cert, ALPNProtocols: ['http/1.1'] });
      secure.on('error', () => undefined);
      app.emit('connection', secure);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile,
    connects,
    refused,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A CA made for this test run, and a certificate it signed for `hosts`, with openssl. */
function certificates(dir: string, hosts: string[]): { key: Buffer; cert: Buffer; caFile: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=ghcr-publish test CA');
  openssl('req', ...ec, '-keyout', 'host.key', '-out', 'host.csr', '-subj', '/CN=stand-ins');
  writeFileSync(path.join(dir, 'host.ext'), `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    'host.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'host.ext',
    '-out',
    'host.pem',
  );
  return {
    key: readFileSync(path.join(dir, 'host.key')),
    cert: readFileSync(path.join(dir, 'host.pem')),
    caFile: path.join(dir, 'ca.pem'),
  };
}
