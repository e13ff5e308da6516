export * from './cleanup.js';
export * from './errors.js';
export * from './github-context.js';
export * from './log.js';
export * from './run-dir.js';
export * from './secrets.js';
export * as state from './state.js';
export * as core from './workflow-commands.js';
