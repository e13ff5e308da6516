export * from './http-retry.js';
export * from './image-copy.js';
export * from './image-facts.js';
export * from './manifest-tree.js';
export * from './oci-layout.js';
export * from './registry-client.js';
export * from './registry-port.js';
export * from './registry-rules.js';
