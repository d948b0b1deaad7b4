/**
 * `@tokki/sdk/secret`: end-to-end encrypted secret chats (MLS through `@tokki/e2e`). A subpath of
 * its own so that the main entry stays free of MLS: browsers load it with `import()` on first use.
 */
export { SecretClient } from './client.js';
export type { Exclusive, SecretClientOptions } from './options.js';
export type { SecretChatSummary, SecretEvents, Verification } from './events.js';
export { SecretError } from './errors.js';
export type { SecretErrorCode } from './errors.js';
export type { SecretMessage } from './state.js';
export { MemoryStateStore } from './store.js';
export type { SecretStateStore } from './store.js';
export { ManualClock, systemClock } from './clock.js';
export type { SecretClock } from './clock.js';
export { isSecretTimer, parseSecretTimer, SECRET_TIMER_LABELS, secretTimerLabel } from './timer.js';
export { fromBase64, toBase64 } from './bytes.js';
