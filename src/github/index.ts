export * from './github-api.js';
export * from './handoff.js';
export * from './package-link.js';
export * from './prune.js';
export * from './prune-keep.js';
export * from './provenance.js';
