import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileTypeFromFile } from 'file-type';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { Value } from '@sinclair/typebox/value';
import { Id, LIMITS, type MethodParams, type MethodResult } from '@tokki/protocol';
import { secretChatError } from '../chats/secret-chats.js';
import type { ChatsService } from '../chats/service.js';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { FilesTable } from '../db/schema.js';
import type { WriteQueue } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { hitRateLimit } from '../rate-limit/rate-limit.js';
import type { Principal } from '../rpc/route.js';
import { listDirectory, LocalBlobStore, type BlobStore, type ByteRange } from './blob-store.js';
import { IMAGE_TYPES, processImage } from './images.js';
import { signFileToken, verifyFileToken } from './signed-url.js';
import * as store from './store.js';

/** How long the URLs `files.get` hands out work without a token. */
export const FILE_URL_TTL_MS = 60 * 60 * 1000;

/** An upload not sent in a message this long after it completed (or began, if partial) is collected. */
export const UNSENT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A blob stored more recently than this is not collected even if no file uses it yet: its file
 * row may be about to commit (an upload completing, the same bytes uploaded again).
 */
export const ORPHAN_BLOB_GRACE_MS = 60 * 60 * 1000;

/** What one collection removed, for the log. */
export interface Collected {
  unsentFiles: number;
  partialUploads: number;
  blobs: number;
}

/** The Upload-Metadata an upload keeps: the caller's, checked, plus who created it. */
export interface UploadMetadata {
  chatId: string;
  filename: string;
  /** What the uploader said the type is; only a hint. */
  filetype?: string;
  userId: string;
}

/** Types that bytes cannot be sniffed for, taken from the uploader when the sniffer knows none. */
const TEXT_TYPES = new Set(['text/plain', 'text/csv', 'text/markdown', 'application/json']);
const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/i;
// Control characters and path separators have no place in a name shown to others or saved.
// eslint-disable-next-line no-control-regex
const BAD_NAME_CHARACTERS = /[\u0000-\u001f\u007f/\\]/;

export type FileVariant = 'full' | 'thumb';

export interface Download {
  file: FilesTable;
  sha256: string;
  mime: string;
  size: number;
}

/**
 * Files in chats: what an upload may be, what is kept of it when it completes, and who may
 * read it — the members of its chat, now.
 */
export class MediaService {
  readonly blobs: BlobStore;
  /** Partial uploads (tus), one file each, until they complete or expire. */
  readonly uploadsDir: string;
  /**
   * Images being decoded (`activeCount`) and waiting their turn (`pendingCount`): sharp holds a
   * decoded image in memory, so a burst of uploads waits here instead of exhausting it.
   */
  readonly imageDecodes: LimitFunction;

  constructor(
    private readonly config: ServerConfig,
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly chats: ChatsService,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.blobs = new LocalBlobStore(config.mediaDir);
    this.uploadsDir = join(config.mediaDir, 'uploads');
    this.imageDecodes = pLimit(config.imageDecodesAtOnce);
  }

  /** Checks a new upload (tus POST) and returns the metadata to keep with it. */
  async checkNewUpload(
    userId: string,
    size: number | undefined,
    given: Record<string, string | null | undefined> = {},
  ): Promise<UploadMetadata> {
    if (size === undefined)
      throw new ApiError('INVALID_PARAMS', 'Declare the size: Upload-Length is required.');
    if (size === 0) throw new ApiError('INVALID_PARAMS', 'The file is empty.');
    if (size > LIMITS.FILE_MAX_BYTES) throw tooLarge();
    const { chatId, filename, filetype } = given;
    if (!chatId || !Value.Check(Id, chatId))
      throw new ApiError('INVALID_PARAMS', 'Upload-Metadata needs the chatId of the chat.');
    const name = filename?.trim();
    if (!name)
      throw new ApiError('INVALID_PARAMS', "Upload-Metadata needs the file's name (filename).");
    if ([...name].length > LIMITS.FILE_NAME_MAX || BAD_NAME_CHARACTERS.test(name))
      throw new ApiError(
        'INVALID_PARAMS',
        `A file name has at most ${LIMITS.FILE_NAME_MAX} characters, without control characters, / or \\.`,
      );
    if (filetype && !MIME_PATTERN.test(filetype))
      throw new ApiError('INVALID_PARAMS', 'filetype is a MIME type such as image/jpeg.');
    await this.chats.requireMember(null, chatId, userId);
    // A file would be stored in the clear; a secret chat's client encrypts what it sends.
    if ((await this.chats.kindOf(null, chatId)) === 'secret')
      throw secretChatError('takes no plain files');
    await this.spendUploadQuota(userId, size);
    return {
      chatId,
      filename: name,
      ...(filetype && { filetype: filetype.toLowerCase() }),
      userId,
    };
  }

  /**
   * Counts an upload's declared size against the user's daily bytes as it begins, so that
   * uploads never finished count too (they fill the disk until they expire). Counted in KiB:
   * the limits table holds 32-bit counts.
   */
  private async spendUploadQuota(userId: string, size: number): Promise<void> {
    const { max, windowSeconds } = this.config.rateLimits.uploadBytesPerUser;
    const retryAfter = await this.writes.run((w) =>
      hitRateLimit(
        w,
        `uploads:user:${userId}`,
        { max: Math.floor(max / 1024), windowSeconds },
        Math.ceil(size / 1024),
      ),
    );
    if (retryAfter)
      throw new ApiError(
        'RATE_LIMITED',
        'You have uploaded as much as a day allows; try again later.',
        retryAfter,
      );
  }

  /**
   * Keeps a completed upload: images re-encoded without metadata, with a thumbnail and a
   * placeholder; other files as they are. Throws (keeping nothing) for a corrupt image or an
   * uploader who has left the chat meanwhile.
   */
  async completeUpload(
    uploadId: string,
    metadata: UploadMetadata,
    originalSize: number,
  ): Promise<FilesTable> {
    const path = join(this.uploadsDir, uploadId);
    // The bytes decide the type, not the uploader's word.
    const sniffed = (await fileTypeFromFile(path))?.mime;
    const declared = metadata.filetype;
    const stored: string[] = [];
    const put = async (data: Readable | Buffer) => {
      const blob = await this.blobs.put(Buffer.isBuffer(data) ? Readable.from([data]) : data);
      stored.push(blob.sha256);
      return blob;
    };
    try {
      let row: Omit<FilesTable, 'created_at'>;
      const base = {
        id: newId('f'),
        chat_id: metadata.chatId,
        uploader_id: metadata.userId,
        upload_id: uploadId,
        name: metadata.filename,
        original_size: originalSize,
        message_seq: null,
      };
      if (sniffed && IMAGE_TYPES.has(sniffed)) {
        const image = await this.imageDecodes(() => processImage(path));
        const full = await put(image.full.data);
        const thumb = await put(image.thumb.data);
        row = {
          ...base,
          kind: 'image',
          mime: image.full.mime,
          size: full.size,
          sha256: full.sha256,
          thumb_sha256: thumb.sha256,
          thumb_mime: image.thumb.mime,
          blurhash: image.blurhash,
          width: image.width,
          height: image.height,
        };
      } else {
        const blob = await put(createReadStream(path));
        row = {
          ...base,
          kind: 'file',
          mime:
            sniffed ??
            (declared && TEXT_TYPES.has(declared) ? declared : 'application/octet-stream'),
          size: blob.size,
          sha256: blob.sha256,
          thumb_sha256: null,
          thumb_mime: null,
          blurhash: null,
          width: null,
          height: null,
        };
      }
      return await this.writes.run(async (w) => {
        await this.chats.requireMember(w, metadata.chatId, metadata.userId);
        const file = { ...row, created_at: w.now };
        await store.insertFile(w.db, file);
        return file;
      });
    } catch (error) {
      await this.dropUnused(stored);
      throw error;
    }
  }

  /** The file kept from a completed upload, for its uploader only. */
  async fileOfUpload(userId: string, uploadId: string): Promise<FilesTable | undefined> {
    const file = await store.findFileByUpload(this.database.db, uploadId);
    return file?.uploader_id === userId ? file : undefined;
  }

  /** `files.get`: the file, if the caller is a member of its chat, and URLs to fetch it. */
  async get(
    { userId }: Principal,
    { fileId }: MethodParams<'files.get'>,
  ): Promise<MethodResult<'files.get'>> {
    const file = await this.readable(userId, fileId);
    const expiresAt = this.clock() + FILE_URL_TTL_MS;
    const token = signFileToken(this.config.mediaUrlKey, file.id, userId, expiresAt);
    const url = `/v1/files/${file.id}?t=${token}`;
    return {
      file: store.toFileInfo(file),
      url,
      thumbUrl: file.thumb_sha256 ? `${url}&size=thumb` : null,
      expiresAt,
    };
  }

  /** The user a download token was issued to, if it is valid for this file now. */
  userOfToken(fileId: string, token: string): string | undefined {
    return verifyFileToken(this.config.mediaUrlKey, fileId, token, this.clock());
  }

  /** What to send for a download by this user: the blob of the file or of its thumbnail. */
  async download(userId: string, fileId: string, variant: FileVariant): Promise<Download> {
    const file = await this.readable(userId, fileId);
    if (variant === 'thumb') {
      if (!file.thumb_sha256 || !file.thumb_mime)
        throw new ApiError('NOT_FOUND', 'This file has no thumbnail.');
      const size = await this.blobs.has(file.thumb_sha256);
      if (size === undefined) throw missingBlob();
      return { file, sha256: file.thumb_sha256, mime: file.thumb_mime, size };
    }
    if ((await this.blobs.has(file.sha256)) === undefined) throw missingBlob();
    return { file, sha256: file.sha256, mime: file.mime, size: Number(file.size) };
  }

  async openBlob(sha256: string, range?: ByteRange): Promise<Readable> {
    const stream = await this.blobs.get(sha256, range);
    if (!stream) throw missingBlob();
    return stream;
  }

  /**
   * The file, if the user is a current member of its chat. Anyone else — a non-member, a
   * former member — hears exactly what they would for a file that does not exist.
   */
  private async readable(userId: string, fileId: string): Promise<FilesTable> {
    const file = Value.Check(Id, fileId)
      ? await store.findFile(this.database.db, fileId)
      : undefined;
    if (file) {
      try {
        await this.chats.requireMember(null, file.chat_id, userId);
        return file;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
    }
    throw new ApiError('NOT_FOUND', 'No such file.');
  }

  /**
   * The media collector (run hourly by server.ts): uploads never sent within a day (their file
   * rows, and tus partial uploads left behind), and blobs no file uses — after a deletion whose
   * erase failed, a crash, or a race between an upload and a deletion of the same bytes.
   */
  async collect(now = this.clock()): Promise<Collected> {
    const before = now - UNSENT_UPLOAD_TTL_MS;
    const unsent = await this.writes.run((w) => store.deleteUnsentFiles(w.db, before));
    await this.dropUnused(unsent);
    let partialUploads = 0;
    for (const name of await listDirectory(this.uploadsDir)) {
      const path = join(this.uploadsDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && info.mtimeMs < before) {
        await rm(path, { force: true });
        // An upload is its bytes and its `.json` description: count it once.
        if (!name.endsWith('.json')) partialUploads++;
      }
    }
    await this.blobs.sweepTemporary(before);
    let blobs = 0;
    for await (const blob of this.blobs.list()) {
      if (blob.storedAt >= now - ORPHAN_BLOB_GRACE_MS) continue;
      if (await store.blobInUse(this.database.db, blob.sha256)) continue;
      await this.blobs.delete(blob.sha256);
      blobs++;
    }
    return { unsentFiles: unsent.length, partialUploads, blobs };
  }

  /**
   * Erases the blobs that no file uses any more (after a failed completion, or once the files of
   * a deleted message are gone). A forward's copy of a file uses the same blob and keeps it.
   */
  async dropUnused(hashes: readonly string[]): Promise<void> {
    for (const sha256 of new Set(hashes)) {
      try {
        // A concurrent upload of the same bytes may commit between the check and the delete;
        // the collector's sweep of orphans (collector.ts) is the full answer, this the common case.
        if (!(await store.blobInUse(this.database.db, sha256))) await this.blobs.delete(sha256);
      } catch (error) {
        this.logger.error({ err: error }, 'dropping an unused blob failed');
      }
    }
  }
}

const tooLarge = () =>
  new ApiError(
    'PAYLOAD_TOO_LARGE',
    `A file has at most ${LIMITS.FILE_MAX_BYTES / (1024 * 1024)} MB.`,
  );

const missingBlob = () => new Error('A file row names a blob the store does not have.');
