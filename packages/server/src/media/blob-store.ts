import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredBlob {
  /** Lower-case hex: the blob's name. */
  sha256: string;
  size: number;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A blob as listed: its name, and when it was last put (ms since the epoch). */
export interface ListedBlob {
  sha256: string;
  storedAt: number;
}

/**
 * Content-addressed storage: a blob is named by the SHA-256 of its bytes, so the same bytes are
 * stored once however many files use them. Local disk now; an object store (S3) fits the same
 * calls.
 */
export interface BlobStore {
  /** Stores the bytes; putting bytes already stored marks that blob as stored now. */
  put(data: AsyncIterable<Uint8Array> | Readable): Promise<StoredBlob>;
  /** The blob's bytes, or a range of them; undefined when there is no such blob. */
  get(sha256: string, range?: ByteRange): Promise<Readable | undefined>;
  /** The blob's size, or undefined when there is none. */
  has(sha256: string): Promise<number | undefined>;
  delete(sha256: string): Promise<void>;
  /** Every blob, for the collector's sweep of those no file uses. */
  list(): AsyncIterable<ListedBlob>;
  /** Deletes the half-written blobs a crash left, begun before `before` (ms); how many. */
  sweepTemporary(before: number): Promise<number>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Blobs as files under `<root>/blobs/ab/cd/<sha256>`: two levels of 256 directories keep each
 * one small at millions of blobs. A blob is written to `<root>/tmp` while it is hashed, flushed
 * to disk, then renamed into place, so a reader never sees half a blob, and a crash leaves only
 * a temp file behind.
 */
export class LocalBlobStore implements BlobStore {
  private readonly blobs: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.blobs = join(root, 'blobs');
    this.tmp = join(root, 'tmp');
  }

  async put(data: AsyncIterable<Uint8Array> | Readable): Promise<StoredBlob> {
    await mkdir(this.tmp, { recursive: true });
    const tmpPath = join(this.tmp, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(tmpPath, 'wx', 0o600);
    try {
      try {
        for await (const chunk of data) {
          hash.update(chunk);
          size += chunk.byteLength;
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      const sha256 = hash.digest('hex');
      const path = this.pathOf(sha256);
      if (await this.has(sha256)) {
        await unlink(tmpPath);
        // Stored now, as far as the collector is concerned: its file row is about to commit, and
        // the sweep spares blobs stored within its grace period.
        const now = new Date();
        await utimes(path, now, now);
      } else {
        await mkdir(join(path, '..'), { recursive: true });
        // Two puts of the same bytes at once both rename: the second replaces equal bytes.
        await rename(tmpPath, path);
      }
      return { sha256, size };
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable | undefined> {
    if (!SHA256_HEX.test(sha256) || (await this.has(sha256)) === undefined) return undefined;
    return createReadStream(this.pathOf(sha256), range && { start: range.start, end: range.end });
  }

  async has(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    if (!SHA256_HEX.test(sha256)) return;
    await rm(this.pathOf(sha256), { force: true });
  }

  async *list(): AsyncIterable<ListedBlob> {
    for (const first of await listDirectory(this.blobs)) {
      for (const second of await listDirectory(join(this.blobs, first))) {
        const directory = join(this.blobs, first, second);
        for (const name of await listDirectory(directory)) {
          if (!SHA256_HEX.test(name)) continue;
          const info = await stat(join(directory, name)).catch(() => undefined);
          if (info) yield { sha256: name, storedAt: info.mtimeMs };
        }
      }
    }
  }

  async sweepTemporary(before: number): Promise<number> {
    let removed = 0;
    for (const name of await listDirectory(this.tmp)) {
      const path = join(this.tmp, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < before) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  private pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error('Not a SHA-256 in hex.');
    return join(this.blobs, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }
}

/** A directory's entries; none when it does not exist (nothing stored yet). */
export async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
