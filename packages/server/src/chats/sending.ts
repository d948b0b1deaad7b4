import type { SqlRunner } from '../db/sql-runner.js';
import { actorId } from './access.js';

/**
 * The chats domain's part of a send, in the send's write batch, on its tables (`chats`,
 * `chat_members`): who may send, the chat's seq counter, and read pointers. Each has
 * a version for one send (plain prepared statements: the SQLite step) and one for a batch of
 * sends on PostgreSQL (a statement over arrays, however many sends).
 */

/** A sender's membership of a chat, present or past, as the send rules (messages) see it. */
export interface SenderMembership {
  /** Whom the message is from: the sender's room profile in an open chat, else their user id. */
  signer: string;
  /** False once they left or were removed. */
  current: boolean;
  /** The other member of a direct chat blocked them. */
  sendBlocked: boolean;
  /** Messages up to this seq were sent before they joined, and are not theirs to see. */
  joinedSeq: number;
  /** A secret chat: it takes no plain message, only `secret.send`. */
  secret: boolean;
}

interface MembershipRow {
  chat_id: string;
  user_id: string;
  profile_id: string | null;
  left_pts: number | null;
  send_blocked: number;
  joined_seq: number;
  kind: string;
}

const MEMBERSHIP_COLUMNS =
  'm.chat_id, m.user_id, m.profile_id, m.left_pts, m.send_blocked, m.joined_seq, c.kind';

const toSenderMembership = (row: MembershipRow): SenderMembership => ({
  signer: actorId(row),
  current: row.left_pts === null,
  sendBlocked: Boolean(row.send_blocked),
  joinedSeq: row.joined_seq,
  secret: row.kind === 'secret',
});

/** Memberships by `membershipKey(chatId, userId)`. */
export type Memberships = Map<string, SenderMembership>;

export const membershipKey = (chatId: string, userId: string) => `${chatId} ${userId}`;

export async function senderMembership(
  sql: SqlRunner,
  chatId: string,
  userId: string,
): Promise<SenderMembership | undefined> {
  const row = await sql.get<MembershipRow>(
    `select ${MEMBERSHIP_COLUMNS} from chat_members m join chats c on c.id = m.chat_id
     where m.chat_id = ? and m.user_id = ?`,
    [chatId, userId],
  );
  return row && toSenderMembership(row);
}

/** PostgreSQL: the memberships of many (chat, user) pairs in one statement. */
export async function senderMemberships(
  sql: SqlRunner,
  pairs: readonly { chatId: string; userId: string }[],
): Promise<Memberships> {
  const rows = await sql.all<MembershipRow>(
    `select ${MEMBERSHIP_COLUMNS} from chat_members m join chats c on c.id = m.chat_id
     where (m.chat_id, m.user_id) in (select * from unnest(?::text[], ?::text[]))`,
    [pairs.map((p) => p.chatId), pairs.map((p) => p.userId)],
  );
  return new Map(
    rows.map((row) => [membershipKey(row.chat_id, row.user_id), toSenderMembership(row)]),
  );
}

export { chatExists } from './store.js';

/** PostgreSQL: which of `chatIds` exist. */
export async function existingChats(
  sql: SqlRunner,
  chatIds: readonly string[],
): Promise<Set<string>> {
  if (chatIds.length === 0) return new Set();
  const rows = await sql.all<{ id: string }>('select id from chats where id = any(?::text[])', [
    [...chatIds],
  ]);
  return new Set(rows.map((row) => row.id));
}

/** Takes the chat's next seq and marks the chat changed at `pts`; returns the seq. */
export async function takeSeq(
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

/**
 * PostgreSQL: moves each chat's seq counter once by its number of new messages, marked changed at
 * the pts of its last; returns each chat's first new seq.
 */
export async function takeSeqs(
  sql: SqlRunner,
  perChat: ReadonlyMap<string, { count: number; lastPts: number }>,
  now: number,
): Promise<Map<string, number>> {
  const chatIds = [...perChat.keys()];
  const counters = await sql.all<{ id: string; last_seq: number }>(
    `update chats c set last_seq = c.last_seq + v.n, last_pts = v.pts, last_activity_at = ?
     from unnest(?::text[], ?::int[], ?::bigint[]) as v(id, n, pts)
     where c.id = v.id returning c.id, c.last_seq`,
    [
      now,
      chatIds,
      chatIds.map((id) => perChat.get(id)!.count),
      chatIds.map((id) => perChat.get(id)!.lastPts),
    ],
  );
  return new Map(counters.map((c) => [c.id, Number(c.last_seq) - perChat.get(c.id)!.count + 1]));
}

/** The chat's newest seq. */
export async function lastSeq(sql: SqlRunner, chatId: string): Promise<number> {
  const row = await sql.get<{ last_seq: number }>('select last_seq from chats where id = ?', [
    chatId,
  ]);
  return row!.last_seq;
}

/** PostgreSQL: the newest seq of each of `chatIds`. */
export async function chatLastSeqs(
  sql: SqlRunner,
  chatIds: readonly string[],
): Promise<Map<string, number>> {
  if (chatIds.length === 0) return new Map();
  const rows = await sql.all<{ id: string; last_seq: number }>(
    'select id, last_seq from chats where id = any(?::text[])',
    [[...chatIds]],
  );
  return new Map(rows.map((row) => [row.id, row.last_seq]));
}

/**
 * Sending means having read everything before: the sender's read pointer moves with each message
 * they send, and clients infer that from the message itself, so no read update is written.
 */
export async function moveReadPointer(
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

/** PostgreSQL: `moveReadPointer` for many members, one chat and seq each. */
export async function moveReadPointers(
  sql: SqlRunner,
  reads: readonly { chatId: string; userId: string; seq: number }[],
): Promise<void> {
  await sql.run(
    `update chat_members m set read_seq = v.seq
     from unnest(?::text[], ?::text[], ?::int[]) as v(chat_id, user_id, seq)
     where m.chat_id = v.chat_id and m.user_id = v.user_id`,
    [reads.map((r) => r.chatId), reads.map((r) => r.userId), reads.map((r) => r.seq)],
  );
}
