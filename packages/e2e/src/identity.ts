import { fromBase64, readJsonObject, toBase64, writeJson } from './bytes.js';
import { isId, type DeviceRef } from './credential.js';
import { E2eError } from './errors.js';
import { cipherSuite } from './suite.js';

/**
 * A device's identity key: one Ed25519 signature key pair, its MLS signature key in every key
 * package and leaf it makes (ADR 008). The public half is what `secret.publishIdentity` publishes.
 * The private half is secret: keep the serialized identity only in an encrypted state store.
 */
export interface DeviceIdentity extends DeviceRef {
  readonly signaturePublicKey: Uint8Array;
  /** As ts-mls's Ed25519 implementation keeps it (PKCS#8 from WebCrypto, or the raw seed). */
  readonly signaturePrivateKey: Uint8Array;
}

export async function createIdentity(userId: string, deviceId: string): Promise<DeviceIdentity> {
  if (!isId(userId) || !isId(deviceId)) {
    throw new E2eError('INVALID_REQUEST', 'userId and deviceId must be protocol ids');
  }
  const { publicKey, signKey } = await (await cipherSuite()).signature.keygen();
  return Object.freeze({
    userId,
    deviceId,
    signaturePublicKey: publicKey,
    signaturePrivateKey: signKey,
  });
}

export function serializeIdentity(identity: DeviceIdentity): Uint8Array {
  return writeJson({
    v: 1,
    userId: identity.userId,
    deviceId: identity.deviceId,
    signaturePublicKey: toBase64(identity.signaturePublicKey),
    signaturePrivateKey: toBase64(identity.signaturePrivateKey),
  });
}

/** Reads an identity back and proves its two halves belong together (a signature round trip). */
export async function deserializeIdentity(bytes: Uint8Array): Promise<DeviceIdentity> {
  const value = readJsonObject(bytes);
  const { userId, deviceId, signaturePublicKey, signaturePrivateKey } = value ?? {};
  const publicKey =
    typeof signaturePublicKey === 'string' ? fromBase64(signaturePublicKey) : undefined;
  const privateKey =
    typeof signaturePrivateKey === 'string' ? fromBase64(signaturePrivateKey) : undefined;
  if (
    value?.v !== 1 ||
    typeof userId !== 'string' ||
    typeof deviceId !== 'string' ||
    !isId(userId) ||
    !isId(deviceId) ||
    publicKey?.length !== 32 ||
    privateKey === undefined
  ) {
    throw new E2eError('MALFORMED', 'not a serialized device identity');
  }
  const { signature } = await cipherSuite();
  const probe = new TextEncoder().encode('tokki identity check');
  let matches = false;
  try {
    matches = await signature.verify(publicKey, probe, await signature.sign(privateKey, probe));
  } catch {
    matches = false;
  }
  if (!matches) throw new E2eError('MALFORMED', 'the identity key halves do not match');
  return Object.freeze({
    userId,
    deviceId,
    signaturePublicKey: publicKey,
    signaturePrivateKey: privateKey,
  });
}
