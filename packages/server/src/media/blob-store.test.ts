import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from './blob-store.js';
import { parseRange } from './range.js';

const read = async (stream: Readable | undefined) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream!) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe('LocalBlobStore', () => {
  let root: string;
  let blobs: LocalBlobStore;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tokki-blobs-'));
    blobs = new LocalBlobStore(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('stores bytes under their SHA-256, sharded, once however often they are put', async () => {
    const data = Buffer.from('토끼 '.repeat(10_000));
    const sha256 = createHash('sha256').update(data).digest('hex');
    const stored = await blobs.put(Readable.from([data.subarray(0, 100), data.subarray(100)]));
    expect(stored).toEqual({ sha256, size: data.length });
    expect(await blobs.put(Readable.from([data]))).toEqual(stored);
    expect(await readdir(join(root, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4)))).toEqual([
      sha256,
    ]);
    // No temp file is left behind.
    expect(await readdir(join(root, 'tmp'))).toEqual([]);

    expect(await blobs.has(sha256)).toBe(data.length);
    expect(await read(await blobs.get(sha256))).toEqual(data);
    expect(await read(await blobs.get(sha256, { start: 5, end: 14 }))).toEqual(
      data.subarray(5, 15),
    );
    await blobs.delete(sha256);
    expect(await blobs.has(sha256)).toBeUndefined();
    expect(await blobs.get(sha256)).toBeUndefined();
  });

  it('refuses names that are not hashes (no path escapes)', async () => {
    expect(await blobs.get('../../etc/passwd')).toBeUndefined();
    expect(await blobs.has('A'.repeat(64))).toBeUndefined();
    await blobs.delete('..');
  });

  it('keeps nothing when the source fails half-way', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('half');
        throw new Error('connection lost');
      })(),
    );
    await expect(blobs.put(failing)).rejects.toThrow('connection lost');
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=5-2', 100, undefined],
    ['bytes=0-1,5-6', 100, undefined],
    ['items=0-1', 100, undefined],
    [undefined, 100, undefined],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
