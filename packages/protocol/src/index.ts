export * from './errors.js';
export * from './limits.js';
export * from './message-text.js';
export * from './models.js';
export * from './methods/index.js';
export * from './frames.js';
export * from './public-methods.js';
