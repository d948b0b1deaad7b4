/** MLS for Tokki's secret chats; everything outside this package goes through these exports. */
export const CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' as const;
export { E2eError, E2E_ERROR_CODES, isE2eError } from './errors.js';
export type { E2eErrorCode } from './errors.js';
export { safetyNumber, safetyNumberGroups, type SafetyNumberSide } from './safety-number.js';
export { keyImage, keyImageSvg, KEY_IMAGE_COLORS, KEY_IMAGE_SIZE } from './key-image.js';
export type { SecretStateStore } from './state-store.js';
export { indexedDbStateStore, STATE_DATABASE } from './indexeddb-state-store.js';
