import { sql, type Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../pagination/cursor.js';
import type { Dialect } from '../db/database.js';
import { ftsQuery, lowerAscii } from './search-document.js';
import type { DatabaseSchema, MessagesTable } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

/** Where a page of results ends: the last message's place in the newest-first order. */
export interface SearchPosition {
  createdAt: number;
  chatId: string;
  seq: number;
}

/** The cursor after `row`: its position as an opaque string. */
export const searchCursor = (row: MessagesTable): string =>
  encodeCursor([Number(row.created_at), row.chat_id, row.seq]);

export function decodeSearchCursor(cursor: string): SearchPosition {
  const [createdAt, chatId, seq] = decodeCursor(cursor, isPosition);
  return { createdAt, chatId, seq };
}

const isPosition = (value: unknown): value is [number, string, number] =>
  Array.isArray(value) &&
  value.length === 3 &&
  Number.isSafeInteger(value[0]) &&
  typeof value[1] === 'string' &&
  Number.isSafeInteger(value[2]) &&
  (value[2] as number) > 0;

export interface SearchPageQuery {
  userId: string;
  /** Trimmed and non-empty. */
  text: string;
  /** The chats to search, the caller's (from the chats domain), each from after their joining. */
  memberships: readonly { chatId: string; joinedSeq: number }[];
  after: SearchPosition | null;
  limit: number;
}

/**
 * The caller's messages containing `text` (case-insensitively), newest first: in `memberships`'
 * chats, sent after they joined, neither deleted for everyone nor hidden by them. The bigram
 * index of migration 004 finds the candidates; the substring test keeps the real matches.
 */
export async function searchPage(db: Db, dialect: Dialect, query: SearchPageQuery) {
  const { userId, text, memberships, after, limit } = query;
  if (memberships.length === 0) return [];
  const chatIds = memberships.map((m) => m.chatId);
  const joinedSeqs = memberships.map((m) => m.joinedSeq);
  // On SQLite the CROSS JOINs fix the order: the index first, then each candidate's message and
  // membership. Left to itself, the planner walks every message of the caller's chats instead.
  // Both sides fold case with the database's lower(), so that the index and the test agree.
  const candidates =
    dialect === 'postgres'
      ? sql`messages as m
          cross join unnest(${chatIds}::text[], ${joinedSeqs}::int[]) as cm(chat_id, joined_seq)
          where tokki_search_grams(m.text) @> tokki_search_query_grams(${text})
          and strpos(lower(m.text), lower(${text})) > 0`
      : sql`message_search as s cross join messages as m
          cross join (select value ->> 0 as chat_id, value ->> 1 as joined_seq
            from json_each(${JSON.stringify(memberships.map((m) => [m.chatId, m.joinedSeq]))})) as cm
          where message_search match ${ftsQuery(lowerAscii(text))} and m.rowid = s.rowid
          and instr(lower(m.text), ${lowerAscii(text)}) > 0`;
  const afterPosition =
    after === null
      ? sql``
      : sql`and (m.created_at, m.chat_id, m.seq) < (${after.createdAt}, ${after.chatId}, ${after.seq})`;
  const { rows } = await sql<MessagesTable>`
    select m.chat_id, m.seq, m.sender_id, m.client_msg_id, m.text, m.created_at, m.edited_at,
      m.deleted_at, m.pts, m.reply_to_seq, m.files
    from ${candidates}
    and cm.chat_id = m.chat_id and m.seq > cm.joined_seq and m.deleted_at is null
    and not exists (
      select 1 from hidden_messages as h
      where h.user_id = ${userId} and h.chat_id = m.chat_id and h.seq = m.seq
    )
    ${afterPosition}
    order by m.created_at desc, m.chat_id desc, m.seq desc
    limit ${limit}`.execute(db);
  return rows;
}
