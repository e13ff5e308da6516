export type { OtherRegistry } from './also-push-to.js';
export * from './labels.js';
export * from './settings.js';
export * from './settings-rules.js';
export * from './placeholders.js';
export type { TagSource } from './derive-tags.js';
