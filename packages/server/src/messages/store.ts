import type { Kysely } from 'kysely';
import type { FileInfo, Message, Reaction } from '@tokki/protocol';
import type { DatabaseSchema, MessagesTable } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';

type Db = Kysely<DatabaseSchema>;

/**
 * A message as `viewer` (who they are in its chat: user or room profile id) sees it. Its
 * `clientMsgId` only when the viewer sent it: others, and every update, get none, so that the id
 * a device chose cannot tie one copy of a message to another (a forward, an open chat's).
 */
export const toMessage = (row: MessagesTable, viewer?: string): Message => ({
  chatId: row.chat_id,
  seq: row.seq,
  senderId: row.sender_id,
  ...(viewer === row.sender_id && { clientMsgId: row.client_msg_id }),
  text: row.text,
  createdAt: Number(row.created_at),
  editedAt: row.edited_at === null ? null : Number(row.edited_at),
  deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  ...(row.reply_to_seq !== null && { replyToSeq: row.reply_to_seq }),
  ...(row.files !== null && { files: JSON.parse(row.files) as FileInfo[] }),
});

// The send path runs these for every message, as plain prepared statements (see SqlRunner); the
// versions over arrays are for a batch of sends on PostgreSQL (messages/send-many.ts).

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

/** PostgreSQL: the stored messages of many (chat, signer, clientMsgId) keys, in one statement. */
export function findByClientMsgIds(
  sql: SqlRunner,
  keys: readonly { chatId: string; senderId: string; clientMsgId: string }[],
) {
  return sql.all<MessagesTable>(
    `select * from messages where (chat_id, sender_id, client_msg_id) in
     (select * from unnest(?::text[], ?::text[], ?::text[]))`,
    [keys.map((k) => k.chatId), keys.map((k) => k.senderId), keys.map((k) => k.clientMsgId)],
  );
}

/** PostgreSQL: which of many (chat, seq) messages exist, as `chatId seq` strings. */
export async function existingMessages(
  sql: SqlRunner,
  keys: readonly { chatId: string; seq: number }[],
): Promise<Set<string>> {
  const rows = await sql.all<{ chat_id: string; seq: number }>(
    `select chat_id, seq from messages where (chat_id, seq) in
     (select * from unnest(?::text[], ?::int[]))`,
    [keys.map((k) => k.chatId), keys.map((k) => k.seq)],
  );
  return new Set(rows.map((row) => `${row.chat_id} ${row.seq}`));
}

export async function insertMessage(sql: SqlRunner, row: MessagesTable): Promise<void> {
  await sql.run(
    'insert into messages (chat_id, seq, sender_id, client_msg_id, text, created_at, pts, reply_to_seq, files) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      row.chat_id,
      row.seq,
      row.sender_id,
      row.client_msg_id,
      row.text,
      row.created_at,
      row.pts,
      row.reply_to_seq,
      row.files,
    ],
  );
}

/** PostgreSQL: `insertMessage` for many rows in one statement. */
export async function insertMessages(
  sql: SqlRunner,
  rows: readonly MessagesTable[],
): Promise<void> {
  await sql.run(
    `insert into messages (chat_id, seq, sender_id, client_msg_id, text, created_at, pts, reply_to_seq, files)
     select * from unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::int[], ?::text[])`,
    [
      rows.map((r) => r.chat_id),
      rows.map((r) => r.seq),
      rows.map((r) => r.sender_id),
      rows.map((r) => r.client_msg_id),
      rows.map((r) => r.text),
      rows.map((r) => r.created_at),
      rows.map((r) => r.pts),
      rows.map((r) => r.reply_to_seq),
      rows.map((r) => r.files),
    ],
  );
}

/**
 * Newest first, strictly between `afterSeq` (the member's first visible) and `beforeSeq`, less
 * those the user deleted for themselves.
 */
export function historyPage(
  db: Db,
  userId: string,
  chatId: string,
  afterSeq: number,
  beforeSeq: number | null,
  limit: number,
) {
  let query = db
    .selectFrom('messages as m')
    .selectAll('m')
    .where('m.chat_id', '=', chatId)
    .where('m.seq', '>', afterSeq)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('hidden_messages as h')
            .select('h.seq')
            .where('h.user_id', '=', userId)
            .whereRef('h.chat_id', '=', 'm.chat_id')
            .whereRef('h.seq', '=', 'm.seq'),
        ),
      ),
    );
  if (beforeSeq !== null) query = query.where('m.seq', '<', beforeSeq);
  return query.orderBy('m.seq', 'desc').limit(limit).execute();
}

/** The messages of `seqs` that the user can see: after `afterSeq`, not deleted for them. */
export function visibleBySeq(
  db: Db,
  userId: string,
  chatId: string,
  afterSeq: number,
  seqs: readonly number[],
) {
  return db
    .selectFrom('messages as m')
    .selectAll('m')
    .where('m.chat_id', '=', chatId)
    .where('m.seq', 'in', seqs)
    .where('m.seq', '>', afterSeq)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('hidden_messages as h')
            .select('h.seq')
            .where('h.user_id', '=', userId)
            .whereRef('h.chat_id', '=', 'm.chat_id')
            .whereRef('h.seq', '=', 'm.seq'),
        ),
      ),
    )
    .orderBy('m.seq')
    .execute();
}

export function find(sql: SqlRunner, chatId: string, seq: number) {
  return sql.get<MessagesTable>('select * from messages where chat_id = ? and seq = ?', [
    chatId,
    seq,
  ]);
}

/** Stores an edit or a deletion: the new text (and files, none once deleted) and its time. */
export async function rewrite(sql: SqlRunner, row: MessagesTable): Promise<void> {
  await sql.run(
    'update messages set text = ?, files = ?, edited_at = ?, deleted_at = ? where chat_id = ? and seq = ?',
    [row.text, row.files, row.edited_at, row.deleted_at, row.chat_id, row.seq],
  );
}

export async function hide(
  db: Db,
  userId: string,
  chatId: string,
  seq: number,
  now: number,
): Promise<void> {
  await db
    .insertInto('hidden_messages')
    .values({ user_id: userId, chat_id: chatId, seq, created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'chat_id', 'seq']).doNothing())
    .execute();
}

/** Of `chatIds`, those with a message (deleted or not) from someone other than `userId`. */
export async function chatsWithSendersOtherThan(
  db: Db,
  chatIds: readonly string[],
  userId: string,
): Promise<string[]> {
  const found: string[] = [];
  // One indexed probe per chat that stops at the first message, however long the chat is.
  for (const chatId of chatIds) {
    const row = await db
      .selectFrom('messages')
      .select('chat_id')
      .where('chat_id', '=', chatId)
      .where('sender_id', '<>', userId)
      .limit(1)
      .executeTakeFirst();
    if (row) found.push(chatId);
  }
  return found;
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

/** Whether message `seq` of the chat exists. */
export async function messageExists(sql: SqlRunner, chatId: string, seq: number): Promise<boolean> {
  const row = await sql.get('select 1 as found from messages where chat_id = ? and seq = ?', [
    chatId,
    seq,
  ]);
  return row !== undefined;
}

/** The reactions to some messages of a chat, by seq, as `Message.reactions` has them. */
export async function reactionsOf(
  db: Db,
  chatId: string,
  seqs: readonly number[],
): Promise<Map<number, NonNullable<Message['reactions']>>> {
  const bySeq = new Map<number, NonNullable<Message['reactions']>>();
  if (seqs.length === 0) return bySeq;
  const rows = await db
    .selectFrom('message_reactions')
    .select(['seq', 'user_id', 'reaction'])
    .where('chat_id', '=', chatId)
    .where('seq', 'in', seqs)
    .orderBy('created_at')
    .execute();
  for (const row of rows) {
    const reactions = bySeq.get(row.seq) ?? [];
    const same = reactions.find((r) => r.reaction === row.reaction);
    if (same) same.userIds.push(row.user_id);
    else reactions.push({ reaction: row.reaction as Reaction, userIds: [row.user_id] });
    bySeq.set(row.seq, reactions);
  }
  return bySeq;
}

export async function reactionOf(
  db: Db,
  chatId: string,
  seq: number,
  userId: string,
): Promise<Reaction | undefined> {
  const row = await db
    .selectFrom('message_reactions')
    .select('reaction')
    .where('chat_id', '=', chatId)
    .where('seq', '=', seq)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.reaction as Reaction | undefined;
}

/** One member's reaction, replacing theirs; null removes it. */
export async function setReaction(
  db: Db,
  chatId: string,
  seq: number,
  userId: string,
  reaction: Reaction | null,
  now: number,
): Promise<void> {
  if (reaction === null) {
    await db
      .deleteFrom('message_reactions')
      .where('chat_id', '=', chatId)
      .where('seq', '=', seq)
      .where('user_id', '=', userId)
      .execute();
    return;
  }
  await db
    .insertInto('message_reactions')
    .values({ chat_id: chatId, seq, user_id: userId, reaction, created_at: now })
    .onConflict((oc) =>
      oc.columns(['chat_id', 'seq', 'user_id']).doUpdateSet({ reaction, created_at: now }),
    )
    .execute();
}

export async function clearReactions(db: Db, chatId: string, seq: number): Promise<void> {
  await db
    .deleteFrom('message_reactions')
    .where('chat_id', '=', chatId)
    .where('seq', '=', seq)
    .execute();
}
