// Safety numbers: Signal's numeric fingerprint (libsignal `fingerprint.rs`, version 0), computed
// per user over all of that user's device identity keys (ADR 008). With one device per side the
// result is exactly Signal's, so Signal's published known answers test it.
import { sha512 } from '@noble/hashes/sha2.js';

/**
 * One side of a conversation: a Tokki user (the stable identifier, hashed as UTF-8) and the
 * public identity keys of all their devices, as bytes (a Tokki device's 32-byte Ed25519 key).
 */
export interface SafetyNumberSide {
  userId: string;
  keys: readonly Uint8Array[];
}

/** Signal's iteration count for displayable fingerprints. */
export const FINGERPRINT_ITERATIONS = 5200;
const FINGERPRINT_VERSION = new Uint8Array([0, 0]);

/** Device keys sorted bytewise and concatenated, so the order devices were listed in does not matter. */
export function combinedIdentityKey(keys: readonly Uint8Array[]): Uint8Array {
  if (keys.length === 0) throw new RangeError('a safety number needs at least one identity key');
  const sorted = [...keys].sort(compareBytes);
  const out = new Uint8Array(sorted.reduce((n, key) => n + key.length, 0));
  let offset = 0;
  for (const key of sorted) {
    out.set(key, offset);
    offset += key.length;
  }
  return out;
}

/**
 * The 64-byte fingerprint of one side: SHA-512 over version || key || id || key, then 5199 more
 * rounds of SHA-512(previous || key).
 */
export function sideFingerprint(side: SafetyNumberSide): Uint8Array {
  const key = combinedIdentityKey(side.keys);
  const id = new TextEncoder().encode(side.userId);
  let hash = sha512(concat(FINGERPRINT_VERSION, key, id, key));
  for (let i = 1; i < FINGERPRINT_ITERATIONS; i++) hash = sha512(concat(hash, key));
  return hash;
}

/** 30 digits from a fingerprint's first 30 bytes: six big-endian 5-byte numbers, each mod 100000. */
export function displayDigits(fingerprint: Uint8Array): string {
  if (fingerprint.length < 30) throw new RangeError('a fingerprint has at least 30 bytes');
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0n;
    for (const byte of fingerprint.subarray(chunk * 5, chunk * 5 + 5)) {
      value = (value << 8n) | BigInt(byte);
    }
    digits += (value % 100_000n).toString().padStart(5, '0');
  }
  return digits;
}

/**
 * The 60-digit safety number of two users: each side's 30 digits, the lower string first, so
 * both users see the same number.
 * @example await safetyNumber({ userId: 'u1', keys: [aliceKey] }, { userId: 'u2', keys: [bobKey] })
 */
export async function safetyNumber(a: SafetyNumberSide, b: SafetyNumberSide): Promise<string> {
  const [first, second] = orderedSides(a, b);
  return first.digits + second.digits;
}

/** The 60 digits in twelve groups of five, as Signal shows them (three rows of four). */
export function safetyNumberGroups(safetyNumber: string): string[] {
  if (!/^\d{60}$/.test(safetyNumber)) throw new RangeError('a safety number is 60 digits');
  return safetyNumber.match(/\d{5}/g) as string[];
}

/** Both sides' fingerprints and digits, the side whose digits sort lower first (shared with the key image). */
export function orderedSides(
  a: SafetyNumberSide,
  b: SafetyNumberSide,
): [{ fingerprint: Uint8Array; digits: string }, { fingerprint: Uint8Array; digits: string }] {
  const sides = [a, b].map((side) => {
    const fingerprint = sideFingerprint(side);
    return { fingerprint, digits: displayDigits(fingerprint) };
  });
  const [x, y] = sides as [(typeof sides)[number], (typeof sides)[number]];
  return x.digits <= y.digits ? [x, y] : [y, x];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
