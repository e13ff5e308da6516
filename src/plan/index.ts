export * from './build-decisions.js';
export * from './commit-time.js';
export * from './credentials.js';
export * from './plan.js';
export * from './plan-text.js';
export { isRegistryTrouble } from './refusal-advice.js';
