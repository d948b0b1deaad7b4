import type { DeviceRef, SecretTimer } from '@tokki/protocol';
import type { SecretError } from './errors.js';
import type { SecretMessage } from './state.js';

/** Events of a `SecretClient`. */
export interface SecretEvents {
  /** A message was decrypted and stored (also a timer change, `content.type === 'timer'`). */
  message: SecretMessage;
  /** A chat's self-destruct timer changed. */
  timer: { chatId: string; timer: SecretTimer; by: DeviceRef };
  /** Devices joined or left a chat's group (by a commit of `by`). */
  members: { chatId: string; added: DeviceRef[]; removed: DeviceRef[]; by: DeviceRef };
  /** Self-destructed messages were deleted from this device. */
  deleted: { chatId: string; seqs: number[] };
  /** A contact's device key changed: warn the user; a verified contact has lost the mark. */
  keyChange: { userId: string; deviceId: string; wasVerified: boolean };
  /** This device was removed from the chat: history stays, sending does not. */
  closed: { chatId: string };
  /** Something failed that no call waits for (an update that could not be applied). */
  error: SecretError;
}

/** What `verification` shows: the same on both sides when nobody's keys were swapped. */
export interface Verification {
  /** 60 digits (Signal's safety number). */
  safetyNumber: string;
  /** 12 × 12 colour indexes 0..3 (the key image). */
  keyImage: number[][];
  /** Whether the user was marked verified over exactly these keys. */
  verified: boolean;
}

/** A chat as this device sees it. */
export interface SecretChatSummary {
  chatId: string;
  timer: SecretTimer;
  closed: boolean;
  epoch: number | undefined;
}
