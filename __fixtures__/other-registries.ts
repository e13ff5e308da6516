import type { OtherRegistry } from '../src/settings/also-push-to.js';

/** `also-push-to` registries as settings hold them, for the executors' tests. */
export const HUB: OtherRegistry = {
  registry: 'docker.io',
  path: 'acmebot/widget',
  imageName: 'docker.io/acmebot/widget',
  username: 'acmebot',
  passwordEnv: 'DOCKERHUB_TOKEN',
  password: 'dckr_pat_hub',
};

export const QUAY: OtherRegistry = {
  registry: 'quay.io',
  path: 'acme/tools/widget',
  imageName: 'quay.io/acme/tools/widget',
  username: 'acme+robot',
  passwordEnv: 'QUAY_PASSWORD',
  password: 'quay-secret',
};
