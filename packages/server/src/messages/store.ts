import type { Kysely } from 'kysely';
import type { Message } from '@tokki/protocol';
import type { DatabaseSchema, MessagesTable } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';

type Db = Kysely<DatabaseSchema>;

export const toMessage = (row: MessagesTable): Message => ({
  chatId: row.chat_id,
  seq: row.seq,
  senderId: row.sender_id,
  clientMsgId: row.client_msg_id,
  text: row.text,
  createdAt: row.created_at,
});

// The send path runs these for every message, as plain prepared statements (see SqlRunner).

export function findByClientMsgId(
  sql: SqlRunner,
  chatId: string,
  senderId: string,
  clientMsgId: string,
) {
  return sql.get<MessagesTable>(
    'select * from messages where chat_id = ? and sender_id = ? and client_msg_id = ?',
    [chatId, senderId, clientMsgId],
  );
}

/** Takes the chat's next seq and marks the chat changed at `pts`; returns the seq. */
export async function nextSeq(
  sql: SqlRunner,
  chatId: string,
  pts: number,
  now: number,
): Promise<number> {
  const row = await sql.get<{ last_seq: number }>(
    'update chats set last_seq = last_seq + 1, last_pts = ?, last_activity_at = ? where id = ? returning last_seq',
    [pts, now, chatId],
  );
  return row!.last_seq;
}

export async function insertMessage(sql: SqlRunner, row: MessagesTable): Promise<void> {
  await sql.run(
    'insert into messages (chat_id, seq, sender_id, client_msg_id, text, created_at) values (?, ?, ?, ?, ?, ?)',
    [row.chat_id, row.seq, row.sender_id, row.client_msg_id, row.text, row.created_at],
  );
}

export async function setReadSeq(
  sql: SqlRunner,
  chatId: string,
  userId: string,
  seq: number,
): Promise<void> {
  await sql.run('update chat_members set read_seq = ? where chat_id = ? and user_id = ?', [
    seq,
    chatId,
    userId,
  ]);
}

/** Newest first, strictly between `afterSeq` (the member's first visible) and `beforeSeq`. */
export function historyPage(
  db: Db,
  chatId: string,
  afterSeq: number,
  beforeSeq: number | null,
  limit: number,
) {
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('seq', '>', afterSeq);
  if (beforeSeq !== null) query = query.where('seq', '<', beforeSeq);
  return query.orderBy('seq', 'desc').limit(limit).execute();
}

export function findByKeys(db: Db, keys: { chatId: string; seq: number }[]) {
  if (keys.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('messages')
    .selectAll()
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb('chat_id', '=', k.chatId), eb('seq', '=', k.seq)]))),
    )
    .execute();
}
