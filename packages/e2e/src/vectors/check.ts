// The few checks the vector runners need. They throw plain errors naming what differed, so the
// same code runs under vitest in Node and in a Chromium page, which has no `expect`.
import { getCiphersuiteImpl } from 'ts-mls/crypto/getCiphersuiteImpl.js';
import { getCiphersuiteFromId, type CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';

/** MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, the only suite Tokki uses. */
export const OUR_SUITE_ID = 1;

let impl: Promise<CiphersuiteImpl> | undefined;

/** ts-mls's implementation of our suite, with its default crypto provider (as the client uses). */
export function ourSuite(): Promise<CiphersuiteImpl> {
  impl ??= getCiphersuiteImpl(getCiphersuiteFromId(OUR_SUITE_ID));
  return impl;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex))
    throw new Error(`not hex: ${hex.slice(0, 16)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function sameBytes(what: string, actual: Uint8Array, expectedHex: string): void {
  const got = toHex(actual);
  if (got !== expectedHex.toLowerCase()) {
    throw new Error(`${what}: got ${shorten(got)}, expected ${shorten(expectedHex)}`);
  }
}

export function same<T>(what: string, actual: T, expected: T): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

export function holds(what: string, condition: boolean): asserts condition {
  if (!condition) throw new Error(`${what} does not hold`);
}

/** Runs `f` and requires it to throw: a vector's "null" answer (no such node). */
export function throws(what: string, f: () => unknown): void {
  try {
    f();
  } catch {
    return;
  }
  throw new Error(`${what}: expected a refusal`);
}

/** A decoder's value, or an error naming what failed to decode. */
export function decoded<T>(what: string, result: [T, number] | undefined): T {
  if (result === undefined) throw new Error(`${what} does not decode`);
  return result[0];
}

function shorten(hex: string): string {
  return hex.length > 48 ? `${hex.slice(0, 48)}…(${hex.length / 2} bytes)` : hex;
}
