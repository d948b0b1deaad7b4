import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  displayDigits,
  safetyNumber,
  safetyNumberGroups,
  sideFingerprint,
} from './safety-number.js';

// Known answers from libsignal, rust/protocol/src/fingerprint.rs (fingerprint_test_v1 and _v2,
// the same vectors as Java's NumericFingerprintGeneratorTest.testVectorsVersion1/2): Signal's
// serialized Curve25519 identity keys (0x05 || key) and its stable identifiers (phone numbers).
const ALICE_IDENTITY = hex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868');
const BOB_IDENTITY = hex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b');
const ALICE_STABLE_ID = '+14152222222';
const BOB_STABLE_ID = '+14153333333';
const DISPLAYABLE_FINGERPRINT_V1 = '300354477692869396892869876765458257569162576843440918079131';
// The scannable fingerprints there carry each side's first 32 fingerprint bytes.
const ALICE_FINGERPRINT_PREFIX = '1e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df';
const BOB_FINGERPRINT_PREFIX = 'd62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d';

const alice = { userId: ALICE_STABLE_ID, keys: [ALICE_IDENTITY] };
const bob = { userId: BOB_STABLE_ID, keys: [BOB_IDENTITY] };

describe('safetyNumber', () => {
  it("matches Signal's published known answer for one device per side", async () => {
    expect(toHex(sideFingerprint(alice).subarray(0, 32))).toBe(ALICE_FINGERPRINT_PREFIX);
    expect(toHex(sideFingerprint(bob).subarray(0, 32))).toBe(BOB_FINGERPRINT_PREFIX);
    expect(await safetyNumber(alice, bob)).toBe(DISPLAYABLE_FINGERPRINT_V1);
  });

  it('is the same 60 digits on both sides', async () => {
    const number = await safetyNumber(bob, alice);
    expect(number).toBe(await safetyNumber(alice, bob));
    expect(number).toMatch(/^\d{60}$/);
  });

  it('changes when any key of either side changes, or a device is added', async () => {
    const base = await safetyNumber(alice, bob);
    const flipped = Uint8Array.from(BOB_IDENTITY);
    flipped[32] = (flipped[32] as number) ^ 1;
    expect(await safetyNumber(alice, { ...bob, keys: [flipped] })).not.toBe(base);
    const second = randomBytes(32);
    const twoDevices = { ...alice, keys: [ALICE_IDENTITY, second] };
    const withDevice = await safetyNumber(twoDevices, bob);
    expect(withDevice).not.toBe(base);
    const changedSecond = Uint8Array.from(second);
    changedSecond[0] = (changedSecond[0] as number) ^ 0x80;
    expect(await safetyNumber({ ...alice, keys: [ALICE_IDENTITY, changedSecond] }, bob)).not.toBe(
      withDevice,
    );
    // The same user id with other keys, or the same keys under another id, is another number.
    expect(await safetyNumber({ ...alice, userId: '+14152222223' }, bob)).not.toBe(base);
  });

  it('does not depend on the order devices are listed in, and matches an independent computation', async () => {
    const keys = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const me = { userId: 'u_me', keys };
    const them = { userId: 'u_them', keys: [randomBytes(32)] };
    const number = await safetyNumber(me, them);
    expect(await safetyNumber({ ...me, keys: [...keys].reverse() }, them)).toBe(number);
    expect(number).toBe(referenceNumber(me, them));
  });

  it('splits into twelve groups of five for display', () => {
    expect(safetyNumberGroups(DISPLAYABLE_FINGERPRINT_V1)).toEqual([
      '30035',
      '44776',
      '92869',
      '39689',
      '28698',
      '76765',
      '45825',
      '75691',
      '62576',
      '84344',
      '09180',
      '79131',
    ]);
    expect(() => safetyNumberGroups('1234')).toThrow(RangeError);
  });

  it('refuses a side without keys', async () => {
    await expect(safetyNumber({ userId: 'u', keys: [] }, bob)).rejects.toThrow(RangeError);
    expect(() => displayDigits(new Uint8Array(29))).toThrow(RangeError);
  });
});

/** The ADR 008 computation written again with node:crypto, sharing no code with the module. */
function referenceNumber(
  a: { userId: string; keys: Uint8Array[] },
  b: { userId: string; keys: Uint8Array[] },
): string {
  const digits = (side: { userId: string; keys: Uint8Array[] }) => {
    const key = Buffer.concat(side.keys.map((k) => Buffer.from(k)).sort(Buffer.compare));
    let hash = createHash('sha512')
      .update(Buffer.from([0, 0]))
      .update(key)
      .update(side.userId, 'utf8')
      .update(key)
      .digest();
    for (let i = 1; i < 5200; i++) hash = createHash('sha512').update(hash).update(key).digest();
    let out = '';
    for (let i = 0; i < 30; i += 5) {
      out += String(hash.readUIntBE(i, 5) % 100000).padStart(5, '0');
    }
    return out;
  };
  return [digits(a), digits(b)].sort().join('');
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
