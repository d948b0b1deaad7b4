import type { SecretTimer } from '@tokki/protocol';
import type { SecretContent } from '@tokki/e2e';

/** A decrypted message as this device keeps it: what `history` shows. */
export interface SecretMessage {
  chatId: string;
  seq: number;
  senderId: string;
  deviceId: string;
  /** Milliseconds since the epoch (the server's time for received messages). */
  sentAt: number;
  content: SecretContent;
  /** When the user saw it (`markRead`), by the client's clock; own messages count as read. */
  readAt?: number;
  /** When this device deletes it: `readAt` plus the message's timer. */
  destroyAt?: number;
}

/** One secret chat on this device. */
export interface ChatState {
  chatId: string;
  /** The MLS group id (base64). */
  groupId: string;
  /** The serialized `SecretGroup` (base64); null once this device was removed (closed chat). */
  group: string | null;
  /** The epoch this device joined at: earlier messages were never meant for it. */
  joinedEpoch: number;
  /** The chat's self-destruct timer: the last one seen (sent or received). */
  timer: SecretTimer;
  /** When this device last refreshed its own leaf's keys (post-compromise security), by the clock. */
  keysUpdatedAt: number;
  messages: SecretMessage[];
  /** Encrypted and sent, but the server's answer (its seq) has not come yet. */
  outbox?: { data: string; content: SecretContent }[];
}

/** A private key package kept until a Welcome uses it (a last-resort one is kept for good). */
export interface StoredKeyPackage {
  publicBytes: string;
  privateBytes: string;
  lastResort: boolean;
}

/** Everything a device keeps for secret chats, persisted as one blob through a state store. */
export interface DeviceState {
  version: 1;
  userId: string;
  deviceId: string;
  /** The serialized identity (base64): its Ed25519 signature key pair. */
  identity: string;
  /** Whether the server has the identity's public key (`secret.publishIdentity`). */
  published: boolean;
  /** The pts up to which this device has applied secret updates. */
  pts: number;
  /** Private key packages by reference. */
  keyPackages: Record<string, StoredKeyPackage>;
  /** Trust on first use: the signature key first seen for each device, by `userId/deviceId`. */
  trust: Record<string, string>;
  /** Users marked verified: the keys (base64, sorted) their safety number was compared over. */
  verified: Record<string, string[]>;
  chats: Record<string, ChatState>;
}

/** The state as stored bytes (UTF-8 JSON; the store encrypts it). */
export function encodeState(state: DeviceState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(state));
}

/** Stored bytes back to a state; undefined when they are not one this version understands. */
export function decodeState(bytes: Uint8Array): DeviceState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const state = value as Partial<DeviceState> | null;
  if (
    typeof state !== 'object' ||
    state === null ||
    state.version !== 1 ||
    typeof state.userId !== 'string' ||
    typeof state.deviceId !== 'string' ||
    typeof state.identity !== 'string' ||
    typeof state.pts !== 'number' ||
    typeof state.chats !== 'object'
  ) {
    return undefined;
  }
  return state as DeviceState;
}
