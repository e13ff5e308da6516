import * as core from '@actions/core';
import type { Credential } from './credentials.js';
import type { Settings } from './inputs.js';
import type { RegistryClient } from './registry-client.js';

/**
 * Proves a credential may push before anything is built: a push-scope token and an upload
 * session, opened and cancelled. A token alone proves nothing: a token service may grant less.
 */
export function pushCheck(settings: Settings, client: (credential: Credential) => RegistryClient): (credential: Credential) => Promise<void> {
  return async (credential) => {
    await client(credential).checkPush(settings.path);
    core.info(`${credential.label} (as ${credential.username}) may push to ${settings.imageName}.`);
  };
}
