import {
  decodeMlsMessage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type CiphersuiteImpl,
  type MLSMessage,
} from 'ts-mls';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { E2eError } from './errors.js';
import type { CIPHER_SUITE } from './index.js';

/**
 * What MLS's delivery service — the server — may read of what clients send it: who a key package
 * claims to be and with which signature key, and the public header of a handshake or application
 * message. Nothing here decrypts; nothing here needs a group's state.
 */

const SUITE: typeof CIPHER_SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
const CREDENTIAL_PREFIX = 'tokki1:';

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

/** The last_resort key package extension's type (draft-ietf-mls-extensions, IANA 0x000a). */
const LAST_RESORT_EXTENSION = 0x000a;

let suiteImpl: Promise<CiphersuiteImpl> | undefined;
const ourSuite = () => (suiteImpl ??= getCiphersuiteImpl(getCiphersuiteFromName(SUITE)));

/**
 * Reads and checks a key package (an MLSMessage of wire format `mls_key_package`): of our suite,
 * with a basic credential `tokki1:<userId>:<deviceId>`, and signed — the package and its leaf —
 * by the signature key it carries, so that no one can make a package for someone else's key.
 * Whether that key and device are the caller's is the server's to check.
 */
export async function readKeyPackage(bytes: Uint8Array): Promise<KeyPackageInfo> {
  const message = decodeWhole(bytes);
  if (message.wireformat !== 'mls_key_package')
    throw new E2eError('MALFORMED', `Not a key package but ${message.wireformat}.`);
  const { keyPackage } = message;
  if (keyPackage.cipherSuite !== SUITE)
    throw new E2eError('WRONG_SUITE', `A key package of ${keyPackage.cipherSuite}, not ${SUITE}.`);
  const { leafNode } = keyPackage;
  const { credential } = leafNode;
  if (credential.credentialType !== 'basic')
    throw new E2eError('BAD_CREDENTIAL', 'Not a basic credential.');
  const device = parseIdentity(credential.identity);
  if (!device)
    throw new E2eError('BAD_CREDENTIAL', 'The credential is not tokki1:<userId>:<deviceId>.');
  const impl = await ourSuite();
  const signed =
    (await verifyKeyPackage(keyPackage, impl.signature).catch(() => false)) &&
    (await verifyLeafNodeSignatureKeyPackage(leafNode, impl.signature).catch(() => false));
  if (!signed)
    throw new E2eError('TAMPERED', 'The key package is not signed by the key it carries.');
  const ref = await makeKeyPackageRef(keyPackage, impl.hash);
  return {
    ...device,
    signatureKey: leafNode.signaturePublicKey,
    ref: toHex(ref),
    lastResort: keyPackage.extensions.some((e) => e.extensionType === LAST_RESORT_EXTENSION),
  };
}

/**
 * The public header of a handshake or application message: a PublicMessage (a commit sent in
 * the clear, signed) or a PrivateMessage (encrypted; its group, epoch and content type are not).
 */
export function readMessageHeader(bytes: Uint8Array): MessageHeader {
  const message = decodeWhole(bytes);
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
export function readWelcome(bytes: Uint8Array): { cipherSuite: typeof SUITE } {
  const message = decodeWhole(bytes);
  if (message.wireformat !== 'mls_welcome')
    throw new E2eError('MALFORMED', `Not a Welcome but ${message.wireformat}.`);
  if (message.welcome.cipherSuite !== SUITE)
    throw new E2eError('WRONG_SUITE', `A Welcome of ${message.welcome.cipherSuite}.`);
  return { cipherSuite: SUITE };
}

/** The MLSMessage the bytes are, every byte of them; a bad or trailing byte is MALFORMED. */
function decodeWhole(bytes: Uint8Array): MLSMessage {
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (error) {
    throw new E2eError('MALFORMED', 'Not an MLS message.', { cause: error });
  }
  if (!decoded) throw new E2eError('MALFORMED', 'Not an MLS message.');
  const [message, length] = decoded;
  if (length !== bytes.length)
    throw new E2eError('MALFORMED', 'Bytes follow the MLS message: not one message.');
  if (message.version !== 'mls10') throw new E2eError('MALFORMED', 'Not MLS 1.0.');
  return message;
}

function parseIdentity(identity: Uint8Array): { userId: string; deviceId: string } | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(identity);
  } catch {
    return undefined;
  }
  if (!text.startsWith(CREDENTIAL_PREFIX)) return undefined;
  const parts = text.slice(CREDENTIAL_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { userId: parts[0], deviceId: parts[1] };
}

/** Epochs are u64 on the wire; ours count commits and stay far below 2^53. */
function toEpoch(epoch: bigint): number {
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER))
    throw new E2eError('MALFORMED', 'An epoch beyond what a group can reach.');
  return Number(epoch);
}

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
