export * from './execute.js';
export * from './failure.js';
export * from './publish-steps.js';
export * from './summary.js';
