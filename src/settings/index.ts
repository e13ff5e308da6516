export * from './labels.js';
export * from './settings.js';
export * from './settings-rules.js';
