// Key images: a 12 × 12 grid of four colours (like Telegram's secret-chat key image), drawn from
// the same two fingerprints as the safety number, so the number and the image change together.
//
// Derivation (version 1), given the two sides' 64-byte fingerprints ordered as in the safety
// number (the side whose 30 digits sort lower first):
//   digest = SHA-512(UTF-8("tokki key image v1") || first fingerprint || second fingerprint)
//   the first 36 bytes of digest are 288 bits = 144 two-bit values; byte i gives cells
//   4i .. 4i+3, most significant bit pair first; cells fill the grid row by row.
import { sha512 } from '@noble/hashes/sha2.js';
import { orderedSides, type SafetyNumberSide } from './safety-number.js';

export const KEY_IMAGE_SIZE = 12;
const LABEL = new TextEncoder().encode('tokki key image v1');

/**
 * The key image of two users: 12 rows of 12 colour indexes 0..3, equal on both sides.
 * @example const grid = await keyImage(me, them); keyImageSvg(grid)
 */
export async function keyImage(a: SafetyNumberSide, b: SafetyNumberSide): Promise<number[][]> {
  const [first, second] = orderedSides(a, b);
  const input = new Uint8Array(LABEL.length + first.fingerprint.length + second.fingerprint.length);
  input.set(LABEL, 0);
  input.set(first.fingerprint, LABEL.length);
  input.set(second.fingerprint, LABEL.length + first.fingerprint.length);
  const digest = sha512(input);
  const grid: number[][] = [];
  for (let row = 0; row < KEY_IMAGE_SIZE; row++) {
    const cells: number[] = [];
    for (let column = 0; column < KEY_IMAGE_SIZE; column++) {
      const cell = row * KEY_IMAGE_SIZE + column;
      const byte = digest[cell >> 2] as number;
      cells.push((byte >> (6 - 2 * (cell & 3))) & 3);
    }
    grid.push(cells);
  }
  return grid;
}

/** Telegram's four blues, lightest first. */
export const KEY_IMAGE_COLORS = ['#ffffff', '#d5e6f3', '#2d5775', '#2f99c9'] as const;

/**
 * An SVG drawing of a key image: one square per cell. Only numbers and `#rrggbb` colours reach
 * the markup, so it is safe to insert as HTML.
 */
export function keyImageSvg(
  grid: readonly (readonly number[])[],
  options: { size?: number; colors?: readonly [string, string, string, string] } = {},
): string {
  const size = options.size ?? 192;
  const colors = options.colors ?? KEY_IMAGE_COLORS;
  if (!Number.isFinite(size) || size <= 0) throw new RangeError('key image size must be positive');
  for (const color of colors) {
    if (!/^#[0-9a-fA-F]{6}$/.test(color)) throw new RangeError('key image colours are #rrggbb');
  }
  if (grid.length !== KEY_IMAGE_SIZE || grid.some((row) => row.length !== KEY_IMAGE_SIZE)) {
    throw new RangeError('a key image is 12 × 12');
  }
  const cells: string[] = [];
  grid.forEach((row, y) =>
    row.forEach((value, x) => {
      if (!Number.isInteger(value) || value < 0 || value > 3) {
        throw new RangeError('key image cells are 0..3');
      }
      cells.push(`<rect x="${x}" y="${y}" width="1" height="1" fill="${colors[value]}"/>`);
    }),
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" ` +
    `viewBox="0 0 ${KEY_IMAGE_SIZE} ${KEY_IMAGE_SIZE}" shape-rendering="crispEdges" role="img">` +
    cells.join('') +
    '</svg>'
  );
}
