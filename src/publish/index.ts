export * from './execute.js';
export * from './failure.js';
export type { PruneOutcome, RunDeps } from './run-deps.js';
export * from './summary.js';
