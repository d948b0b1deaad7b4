/** MLS for Tokki's secret chats; everything outside this package goes through these exports. */
export { CIPHER_SUITE } from './suite.js';
export { E2eError, E2E_ERROR_CODES, isE2eError } from './errors.js';
export type { E2eErrorCode } from './errors.js';
export { readKeyPackage, readMessageHeader, readWelcome } from './inspect.js';
export type { ContentType, KeyPackageInfo, MessageHeader, WireFormat } from './inspect.js';
export { credentialIdentity, parseCredentialIdentity } from './credential.js';
export type { DeviceRef } from './credential.js';
export { createIdentity, serializeIdentity, deserializeIdentity } from './identity.js';
export type { DeviceIdentity } from './identity.js';
export { generateKeyPackages } from './key-packages.js';
export type {
  KeyPackageBundle,
  KeyPackageLookup,
  GenerateKeyPackagesOptions,
} from './key-packages.js';
export { SecretAuthentication, MemoryTrustStore } from './authentication.js';
export type {
  KeyDirectory,
  TrustStore,
  KeyChange,
  AuthenticationOptions,
} from './authentication.js';
export { SecretGroup, KEY_RETENTION } from './group.js';
export type { CommitRequest, CommitResult, ProcessResult, SecretMember } from './group.js';
export { encodeContent, decodeContent } from './content.js';
export type { SecretContent } from './content.js';
export { safetyNumber, safetyNumberGroups, type SafetyNumberSide } from './safety-number.js';
export { keyImage, keyImageSvg, KEY_IMAGE_COLORS, KEY_IMAGE_SIZE } from './key-image.js';
export type { SecretStateStore } from './state-store.js';
export { indexedDbStateStore, STATE_DATABASE } from './indexeddb-state-store.js';
