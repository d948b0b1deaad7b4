import type { Kysely } from 'kysely';
import type { Message } from '@tokki/protocol';
import type { DatabaseSchema, MessagesTable } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

export const toMessage = (row: MessagesTable): Message => ({
  chatId: row.chat_id,
  seq: row.seq,
  senderId: row.sender_id,
  clientMsgId: row.client_msg_id,
  text: row.text,
  createdAt: row.created_at,
});

export function findByClientMsgId(db: Db, chatId: string, senderId: string, clientMsgId: string) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('sender_id', '=', senderId)
    .where('client_msg_id', '=', clientMsgId)
    .executeTakeFirst();
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
