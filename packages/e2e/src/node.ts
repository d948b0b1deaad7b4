/** Node-only parts of @tokki/e2e (`@tokki/e2e/node`): they use node:fs and node:crypto. */
export { fileStateStore } from './file-state-store.js';
