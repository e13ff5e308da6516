export * from './build-cache.js';
export * from './docker.js';
export * from './docker-session.js';
