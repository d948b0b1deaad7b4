import { verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { deviceOfCredential } from './credential.js';
import { E2eError } from './errors.js';
import { decodeKeyPackage, isLastResort, keyPackageRef } from './key-packages.js';
import { decodeWholeMlsMessage } from './mls-message.js';
import { CIPHER_SUITE, cipherSuite } from './suite.js';

/**
 * What MLS's delivery service — the server — may read of what clients send it: who a key package
 * claims to be and with which signature key, and the public header of a handshake or application
 * message. Nothing here decrypts; nothing here needs a group's state.
 */

/** A key package as the server sees it: whose device it is, its signature key and reference. */
export interface KeyPackageInfo {
  userId: string;
  deviceId: string;
  /** The Ed25519 public key the package's leaf signs with (the device's identity key). */
  signatureKey: Uint8Array;
  /** The key package's reference (RFC 9420 §5.2, `KeyPackageRef`), as lower-case hex. */
  ref: string;
  /** It carries the last_resort extension (type 0x000a, draft-ietf-mls-extensions). */
  lastResort: boolean;
}

export type WireFormat = 'public' | 'private';
export type ContentType = 'application' | 'proposal' | 'commit';

/** The public header of an MLS message, as sent on the wire to the delivery service. */
export interface MessageHeader {
  wireFormat: WireFormat;
  groupId: Uint8Array;
  epoch: number;
  contentType: ContentType;
}

/**
 * Reads and checks a key package (an MLSMessage of wire format `mls_key_package`): of our suite,
 * with a basic credential `tokki1:<userId>:<deviceId>`, and signed — the package and its leaf —
 * by the signature key it carries, so that no one can make a package for someone else's key.
 * Whether that key and device are the caller's is the server's to check.
 */
export async function readKeyPackage(bytes: Uint8Array): Promise<KeyPackageInfo> {
  const keyPackage = decodeKeyPackage(bytes);
  const { leafNode } = keyPackage;
  const device = deviceOfCredential(leafNode.credential);
  if (!device)
    throw new E2eError(
      'BAD_CREDENTIAL',
      'The credential is not a basic one of tokki1:<userId>:<deviceId>.',
    );
  const impl = await cipherSuite();
  const signed =
    (await verifyKeyPackage(keyPackage, impl.signature).catch(() => false)) &&
    (await verifyLeafNodeSignatureKeyPackage(leafNode, impl.signature).catch(() => false));
  if (!signed)
    throw new E2eError('TAMPERED', 'The key package is not signed by the key it carries.');
  return {
    ...device,
    signatureKey: leafNode.signaturePublicKey,
    ref: await keyPackageRef(keyPackage),
    lastResort: isLastResort(keyPackage),
  };
}

/**
 * The public header of a handshake or application message: a PublicMessage (a commit sent in
 * the clear, signed) or a PrivateMessage (encrypted; its group, epoch and content type are not).
 */
export function readMessageHeader(bytes: Uint8Array): MessageHeader {
  const message = decodeWholeMlsMessage(bytes);
  if (message.wireformat === 'mls_private_message') {
    const { groupId, epoch, contentType } = message.privateMessage;
    return { wireFormat: 'private', groupId, epoch: toEpoch(epoch), contentType };
  }
  if (message.wireformat === 'mls_public_message') {
    const { groupId, epoch, contentType } = message.publicMessage.content;
    return { wireFormat: 'public', groupId, epoch: toEpoch(epoch), contentType };
  }
  throw new E2eError('MALFORMED', `Not a group message but ${message.wireformat}.`);
}

/** Checks that the bytes are one Welcome of our suite (it is encrypted to the new members). */
export function readWelcome(bytes: Uint8Array): { cipherSuite: typeof CIPHER_SUITE } {
  const message = decodeWholeMlsMessage(bytes);
  if (message.wireformat !== 'mls_welcome')
    throw new E2eError('MALFORMED', `Not a Welcome but ${message.wireformat}.`);
  if (message.welcome.cipherSuite !== CIPHER_SUITE)
    throw new E2eError('WRONG_SUITE', `A Welcome of ${message.welcome.cipherSuite}.`);
  return { cipherSuite: CIPHER_SUITE };
}

/** Epochs are u64 on the wire; ours count commits and stay far below 2^53. */
function toEpoch(epoch: bigint): number {
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER))
    throw new E2eError('MALFORMED', 'An epoch beyond what a group can reach.');
  return Number(epoch);
}
