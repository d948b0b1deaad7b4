import type { FileInfo } from '@tokki/protocol';
import type { FilesTable } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';
import type { Writer } from '../db/write-queue.js';
import { filesByIds, findFile, insertFile, toFileInfo } from './store.js';

/** Files to attach to messages, read in the send's write batch: the rows of `ids`, by id. */
export async function filesToAttach(
  sql: SqlRunner,
  ids: readonly string[],
): Promise<ReadonlyMap<string, FilesTable>> {
  const rows = await filesByIds(sql, [...new Set(ids)]);
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The files a message may carry, as it will carry them: each uploaded by `senderId` to `chatId`
 * (else undefined: the send is refused), in the order given.
 */
export function attachable(
  rows: ReadonlyMap<string, FilesTable>,
  ids: readonly string[],
  chatId: string,
  senderId: string,
): FileInfo[] | undefined {
  const files: FileInfo[] = [];
  for (const id of ids) {
    const row = rows.get(id);
    if (!row || row.chat_id !== chatId || row.uploader_id !== senderId) return undefined;
    files.push(toFileInfo(row));
  }
  return files;
}

/**
 * A file of one chat made a file of another, as `uploaderId`'s (a forward): a new id over the
 * same blobs, so that the target chat's members may read it and the source chat's rules stay.
 */
export async function copyFile(
  w: Writer,
  fileId: string,
  copy: { id: string; chatId: string; uploaderId: string },
): Promise<void> {
  const row = await findFile(w.db, fileId);
  if (!row) throw new Error(`No file ${fileId} to copy`);
  await insertFile(w.db, {
    ...row,
    id: copy.id,
    chat_id: copy.chatId,
    uploader_id: copy.uploaderId,
    upload_id: null,
    created_at: w.now,
  });
}
