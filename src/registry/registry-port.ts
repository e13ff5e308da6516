import type { RetryPolicy } from './http-retry.js';
import { type Login, RegistryClient } from './registry-client.js';
import type { RegistryLimits } from './registry-limits.js';

/**
 * The run's one way to the registry: a client per credential (by its login and secret, not by
 * object identity), so each registry token is asked for once however often the client is wanted.
 */
export function registryPort(
  host: string,
  retry: RetryPolicy,
  limits: RegistryLimits = {},
): (credential: Login | undefined) => RegistryClient {
  const clients = new Map<string, RegistryClient>();
  return (credential) => {
    const key = credential ? `${credential.username}\n${credential.secret}` : '';
    let client = clients.get(key);
    if (!client) {
      client = new RegistryClient(host, credential, { retry, limits });
      clients.set(key, client);
    }
    return client;
  };
}

/** A port per registry host, for runs that push to several registries (each with its own credential and limits). */
export function registryPorts(
  retry: RetryPolicy,
): (host: string, limits?: RegistryLimits) => (credential: Login | undefined) => RegistryClient {
  const ports = new Map<string, ReturnType<typeof registryPort>>();
  return (host, limits) => {
    let port = ports.get(host);
    if (!port) {
      port = registryPort(host, retry, limits);
      ports.set(host, port);
    }
    return port;
  };
}
