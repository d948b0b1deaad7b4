import type { Kysely } from 'kysely';
import type { FileInfo } from '@tokki/protocol';
import type { DatabaseSchema, FilesTable } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';

type Db = Kysely<DatabaseSchema>;

export async function insertFile(db: Db, file: FilesTable): Promise<void> {
  await db.insertInto('files').values(file).execute();
}

export async function findFile(db: Db, id: string): Promise<FilesTable | undefined> {
  return db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findFileByUpload(db: Db, uploadId: string): Promise<FilesTable | undefined> {
  return db.selectFrom('files').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
}

/** Whether any file is served from, or has its thumbnail in, the blob. */
export async function blobInUse(db: Db, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('files')
    .select('id')
    .where((eb) => eb.or([eb('sha256', '=', sha256), eb('thumb_sha256', '=', sha256)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export function toFileInfo(row: FilesTable): FileInfo {
  return {
    id: row.id,
    chatId: row.chat_id,
    name: row.name,
    mime: row.mime,
    size: Number(row.size),
    kind: row.kind,
    ...(row.width !== null && { width: row.width }),
    ...(row.height !== null && { height: row.height }),
    ...(row.blurhash !== null && { blurhash: row.blurhash }),
    createdAt: Number(row.created_at),
  };
}

/** Files by id, for the send path (plain SQL: it runs on the SQLite write thread too). */
export function filesByIds(sql: SqlRunner, ids: readonly string[]): Promise<FilesTable[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return sql.all<FilesTable>(`select * from files where id in (${ids.map(() => '?').join(', ')})`, [
    ...ids,
  ]);
}

/** Deletes the files message `seq` of the chat carries; the blobs they used, to erase if unused. */
export async function deleteFilesOfMessage(
  sql: SqlRunner,
  chatId: string,
  seq: number,
): Promise<string[]> {
  const rows = await sql.all<Pick<FilesTable, 'sha256' | 'thumb_sha256'>>(
    'delete from files where chat_id = ? and message_seq = ? returning sha256, thumb_sha256',
    [chatId, seq],
  );
  return blobsOf(rows);
}

/** Deletes uploads never sent and created before `before`; the blobs they used. */
export async function deleteUnsentFiles(db: Db, before: number): Promise<string[]> {
  const rows = await db
    .deleteFrom('files')
    .where('message_seq', 'is', null)
    .where('created_at', '<', before)
    .returning(['sha256', 'thumb_sha256'])
    .execute();
  return blobsOf(rows);
}

const blobsOf = (rows: readonly Pick<FilesTable, 'sha256' | 'thumb_sha256'>[]) =>
  rows.flatMap((row) => (row.thumb_sha256 ? [row.sha256, row.thumb_sha256] : [row.sha256]));
