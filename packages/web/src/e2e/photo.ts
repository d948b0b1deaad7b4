// Profile pictures for the browser tests: small PNGs drawn here (no image files in the repo).
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/**
 * A picture that reads as a portrait at thumbnail size: a sky gradient in `hue` with a round
 * "head and shoulders" in a darker shade. PNG, `size`×`size`; `grain` adds noise, which makes
 * the file as large as a camera's.
 */
export function testPhoto(hue: number, size = 256, grain = 0): Buffer {
  let seed = hue + 1;
  const noise = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.round(((seed >>> 16) / 65536 - 0.5) * 2 * grain);
  };
  const clamp = (value: number) => Math.max(0, Math.min(255, value));
  const raw = Buffer.alloc((size * 3 + 1) * size);
  const [sr, sg, sb] = hsl(hue, 0.55, 0.42);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0; // no filter
    for (let x = 0; x < size; x++) {
      const u = x / size;
      const v = y / size;
      let [r, g, b] = hsl((hue + 40 * v) % 360, 0.7, 0.78 - 0.2 * v);
      const head = (u - 0.5) ** 2 + (v - 0.42) ** 2 < 0.17 ** 2;
      const shoulders = (u - 0.5) ** 2 / 0.36 ** 2 + (v - 1.05) ** 2 / 0.4 ** 2 < 1;
      if (head || shoulders) [r, g, b] = [sr, sg, sb];
      const at = row + 1 + x * 3;
      raw[at] = clamp(r + noise());
      raw[at + 1] = clamp(g + noise());
      raw[at + 2] = clamp(b + noise());
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Sets a user's profile picture over HTTP, as the web app does. */
export async function uploadTestPhoto(url: string, token: string, photo: Buffer): Promise<void> {
  const response = await fetch(`${url}/v1/profile/photo`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: new Uint8Array(photo),
  });
  if (!response.ok) throw new Error(`profile photo: ${response.status} ${await response.text()}`);
}
