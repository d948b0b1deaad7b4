import type { FileInfo } from '@tokki/protocol';
import type { FilesTable } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';
import type { Writer } from '../db/write-queue.js';
import { deleteFilesOfMessage, filesByIds, findFile, insertFile, toFileInfo } from './store.js';

export { deleteFilesOfMessage };

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
 * and not yet sent (else undefined: the send is refused), in the order given. A file belongs to
 * one message, so that deleting the message deletes it.
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
    if (row.message_seq !== null) return undefined;
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
    // The forward's send attaches it to the copy.
    message_seq: null,
  });
}

/** Records that the message `seq` of the chat carries the files (sent: no longer collectable). */
export async function markAttached(
  sql: SqlRunner,
  chatId: string,
  seq: number,
  fileIds: readonly string[],
): Promise<void> {
  if (fileIds.length === 0) return;
  await sql.run(
    `update files set message_seq = ? where chat_id = ? and id in (${fileIds.map(() => '?').join(', ')})`,
    [seq, chatId, ...fileIds],
  );
}

/** PostgreSQL: `markAttached` for a batch of messages, in one statement. */
export async function markAttachedMany(
  sql: SqlRunner,
  attached: readonly { chatId: string; seq: number; fileId: string }[],
): Promise<void> {
  if (attached.length === 0) return;
  await sql.run(
    `update files set message_seq = a.seq
     from unnest(?::text[], ?::int[], ?::text[]) as a(chat_id, seq, file_id)
     where files.id = a.file_id and files.chat_id = a.chat_id`,
    [attached.map((a) => a.chatId), attached.map((a) => a.seq), attached.map((a) => a.fileId)],
  );
}
