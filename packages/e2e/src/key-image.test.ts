import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyImage, keyImageSvg } from './key-image.js';

// Signal's fingerprint test identities (see safety-number.test.ts), reused for a fixed answer.
const alice = {
  userId: '+14152222222',
  keys: [hex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868')],
};
const bob = {
  userId: '+14153333333',
  keys: [hex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b')],
};
// Computed once with a stand-alone node:crypto script written from the derivation in
// key-image.ts (not from its code), and again by referenceImage below.
const ALICE_BOB_CELLS =
  '331132300302032212211200213222202210030301020103013121300111020112131203' +
  '121113122100203202001022302203300201331203023131221121330121110031223021';

describe('keyImage', () => {
  it('is a 12 × 12 grid of 0..3 with a fixed answer for fixed keys', async () => {
    const grid = await keyImage(alice, bob);
    expect(grid).toHaveLength(12);
    for (const row of grid) {
      expect(row).toHaveLength(12);
      for (const cell of row) expect([0, 1, 2, 3]).toContain(cell);
    }
    expect(grid.flat().join('')).toBe(ALICE_BOB_CELLS);
    expect(grid.flat().join('')).toBe(referenceImage(alice, bob));
  });

  it('is deterministic and equal on both sides', async () => {
    const me = { userId: 'u_me', keys: [randomBytes(32), randomBytes(32)] };
    const them = { userId: 'u_them', keys: [randomBytes(32)] };
    const image = await keyImage(me, them);
    expect(await keyImage(me, them)).toEqual(image);
    expect(await keyImage(them, me)).toEqual(image);
    expect(image.flat().join('')).toBe(referenceImage(me, them));
  });

  it('changes when a key changes', async () => {
    const image = await keyImage(alice, bob);
    const changed = Uint8Array.from(bob.keys[0] as Uint8Array);
    changed[5] = (changed[5] as number) ^ 0x10;
    expect(await keyImage(alice, { ...bob, keys: [changed] })).not.toEqual(image);
    expect(await keyImage(alice, { ...bob, keys: [...bob.keys, randomBytes(32)] })).not.toEqual(
      image,
    );
  });
});

describe('keyImageSvg', () => {
  it('draws one square per cell in the four colours', async () => {
    const svg = keyImageSvg(await keyImage(alice, bob), { size: 120 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="120"')).toBe(true);
    expect(svg.match(/<rect /g)).toHaveLength(144);
    expect(svg).toContain('fill="#2f99c9"');
  });

  it('refuses anything that is not a 12 × 12 grid of 0..3 or a #rrggbb colour', () => {
    const grid = Array.from({ length: 12 }, () => Array.from({ length: 12 }, () => 0));
    expect(() => keyImageSvg(grid.slice(1))).toThrow(RangeError);
    expect(() => keyImageSvg(grid.map((row, y) => (y ? row : [...row.slice(1), 4])))).toThrow(
      RangeError,
    );
    expect(() =>
      keyImageSvg(grid, { colors: ['#fff"/><script>', '#000000', '#000000', '#000000'] }),
    ).toThrow(RangeError);
    expect(() => keyImageSvg(grid, { size: Number.NaN })).toThrow(RangeError);
  });
});

/** ADR 008's derivation written again with node:crypto, sharing no code with the modules. */
function referenceImage(
  a: { userId: string; keys: Uint8Array[] },
  b: { userId: string; keys: Uint8Array[] },
): string {
  const fingerprint = (side: { userId: string; keys: Uint8Array[] }) => {
    const key = Buffer.concat(side.keys.map((k) => Buffer.from(k)).sort(Buffer.compare));
    let hash = createHash('sha512')
      .update(Buffer.from([0, 0]))
      .update(key)
      .update(side.userId)
      .update(key)
      .digest();
    for (let i = 1; i < 5200; i++) hash = createHash('sha512').update(hash).update(key).digest();
    let digits = '';
    for (let i = 0; i < 30; i += 5)
      digits += String(hash.readUIntBE(i, 5) % 100000).padStart(5, '0');
    return { hash, digits };
  };
  const sides = [fingerprint(a), fingerprint(b)].sort((x, y) => (x.digits < y.digits ? -1 : 1));
  const digest = createHash('sha512')
    .update('tokki key image v1')
    .update(sides[0]!.hash)
    .update(sides[1]!.hash)
    .digest();
  let cells = '';
  for (let i = 0; i < 36; i++) {
    for (let shift = 6; shift >= 0; shift -= 2) cells += (digest[i]! >> shift) & 3;
  }
  return cells;
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
