// Client state at rest (ADR 008): MLS group state and private keys are saved only through a
// SecretStateStore, which encrypts them under a key the store keeps to itself.
import { E2eError } from './errors.js';

/**
 * One encrypted blob: the whole state a client keeps under one name. A client that keeps several
 * (its identity, one per group) opens one store per name; each name has its own key, so
 * `clear()` erases exactly that blob and its key.
 */
export interface SecretStateStore {
  /** The saved bytes, or undefined when nothing is saved. Throws E2eError TAMPERED/MALFORMED. */
  load(): Promise<Uint8Array | undefined>;
  /** Replaces the saved bytes, all or nothing. */
  save(bytes: Uint8Array): Promise<void>;
  /** Deletes the saved bytes and their key. */
  clear(): Promise<void>;
}

/** The envelope's first bytes: format version 1 of Tokki's encrypted state. */
export const STATE_MAGIC = new TextEncoder().encode('TKS1');
export const STATE_IV_BYTES = 12;
export const STATE_TAG_BYTES = 16;

/** Letters, digits, `_` and `-`: safe as a file name and an IndexedDB key. */
export function checkStateName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new E2eError('INVALID_REQUEST', 'a state name is 1..64 letters, digits, _ or -');
  }
  return name;
}

/** Authenticated with the ciphertext, so a blob saved under one name does not open under another. */
export function stateAssociatedData(name: string): Uint8Array<ArrayBuffer> {
  const label = new TextEncoder().encode(`tokki-state:${name}`);
  const out = new Uint8Array(STATE_MAGIC.length + label.length);
  out.set(STATE_MAGIC, 0);
  out.set(label, STATE_MAGIC.length);
  return out;
}

export function checkStateBytes(bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new E2eError('INVALID_REQUEST', 'state to save must be a Uint8Array');
  }
  return bytes;
}

/** Splits an envelope (magic || iv || ciphertext with its tag), or throws MALFORMED. */
export function parseStateEnvelope(envelope: Uint8Array): {
  iv: Uint8Array<ArrayBuffer>;
  sealed: Uint8Array<ArrayBuffer>;
} {
  const headerLength = STATE_MAGIC.length + STATE_IV_BYTES;
  if (
    envelope.length < headerLength + STATE_TAG_BYTES ||
    STATE_MAGIC.some((byte, i) => envelope[i] !== byte)
  ) {
    throw new E2eError('MALFORMED', 'the saved state is not a Tokki state envelope');
  }
  return {
    iv: envelope.slice(STATE_MAGIC.length, headerLength),
    sealed: envelope.slice(headerLength),
  };
}

export function buildStateEnvelope(iv: Uint8Array, sealed: Uint8Array): Uint8Array {
  const out = new Uint8Array(STATE_MAGIC.length + iv.length + sealed.length);
  out.set(STATE_MAGIC, 0);
  out.set(iv, STATE_MAGIC.length);
  out.set(sealed, STATE_MAGIC.length + iv.length);
  return out;
}
