import type { Message } from '@tokki/protocol';
import { actorId, membershipError, undeliverableError } from '../chats/service.js';
import type { StepWriter } from '../db/batch.js';
import type { MessagesTable } from '../db/schema.js';
import { publishChatUpdate } from '../updates/log.js';
import { attachable, filesByIds } from '../media/store.js';
import { noSuchFile, noSuchReplyTarget, type SendCommand } from './send.js';
import { toMessage } from './store.js';

/** Shaped as a command's outcome (write-commands.ts). */
export type SendResult = { ok: true; value: Message } | { ok: false; error: unknown };

const key = (chatId: string, senderId: string, clientMsgId: string) =>
  JSON.stringify([chatId, senderId, clientMsgId]);

/**
 * A batch of sends on PostgreSQL as seven set-based statements, whatever its size, where
 * `sendStep` takes six round trips per message — the limit on PostgreSQL (docs/performance.md).
 * The results are those of running `sendStep` for each command in order: refused sends change
 * nothing; a repeated `clientMsgId`, stored or earlier in the batch, answers the original; seqs and
 * pts follow the order of the commands.
 */
export async function sendManyOnPostgres(
  w: StepWriter,
  commands: readonly SendCommand[],
): Promise<SendResult[]> {
  const results: (SendResult | undefined)[] = commands.map(() => undefined);

  // Who may send: a current membership, else the error sendStep would give.
  const memberships = await w.sql.all<{
    chat_id: string;
    user_id: string;
    profile_id: string | null;
    left_pts: number | null;
    send_blocked: number;
    joined_seq: number;
  }>(
    `select chat_id, user_id, profile_id, left_pts, send_blocked, joined_seq from chat_members
     where (chat_id, user_id) in (select * from unnest(?::text[], ?::text[]))`,
    [commands.map((c) => c.chatId), commands.map((c) => c.senderId)],
  );
  const current = new Set(
    memberships.filter((m) => m.left_pts === null).map((m) => `${m.chat_id} ${m.user_id}`),
  );
  const member = (c: SendCommand) => current.has(`${c.chatId} ${c.senderId}`);
  const sendBlocked = new Set(
    memberships.filter((m) => m.send_blocked).map((m) => `${m.chat_id} ${m.user_id}`),
  );
  const joinedSeq = new Map(memberships.map((m) => [`${m.chat_id} ${m.user_id}`, m.joined_seq]));
  // Who signs the message: the sender's room profile in an open chat, else their user id.
  const signers = new Map(memberships.map((m) => [`${m.chat_id} ${m.user_id}`, actorId(m)]));
  const signer = (c: SendCommand) => signers.get(`${c.chatId} ${c.senderId}`)!;
  const keyOf = (c: SendCommand) => key(c.chatId, signer(c), c.clientMsgId);
  const outsiders = commands.filter((c) => !member(c));
  if (outsiders.length > 0) {
    const known = new Set(memberships.map((m) => `${m.chat_id} ${m.user_id}`));
    const chats = await w.sql.all<{ id: string }>(
      'select id from chats where id = any(?::text[])',
      [outsiders.map((c) => c.chatId)],
    );
    const existing = new Set(chats.map((chat) => chat.id));
    commands.forEach((c, i) => {
      if (member(c)) return;
      const noSuchChat = !known.has(`${c.chatId} ${c.senderId}`) && !existing.has(c.chatId);
      results[i] = { ok: false, error: membershipError(noSuchChat) };
    });
  }

  // Repeats: of a stored message, or of one earlier in this batch.
  const allowed = commands.filter(member);
  const stored = new Map<string, MessagesTable>();
  if (allowed.length > 0) {
    const originals = await w.sql.all<MessagesTable>(
      `select * from messages where (chat_id, sender_id, client_msg_id) in
       (select * from unnest(?::text[], ?::text[], ?::text[]))`,
      [allowed.map((c) => c.chatId), allowed.map(signer), allowed.map((c) => c.clientMsgId)],
    );
    for (const row of originals)
      stored.set(key(row.chat_id, row.sender_id, row.client_msg_id), row);
  }
  // Replies: to a message that exists and that its sender can see.
  const replies = commands.filter((c) => c.replyToSeq !== undefined && member(c));
  const replyTargets = new Set<string>();
  if (replies.length > 0) {
    const found = await w.sql.all<{ chat_id: string; seq: number }>(
      `select chat_id, seq from messages where (chat_id, seq) in
       (select * from unnest(?::text[], ?::int[]))`,
      [replies.map((c) => c.chatId), replies.map((c) => c.replyToSeq!)],
    );
    for (const row of found) replyTargets.add(`${row.chat_id} ${row.seq}`);
  }
  const canReply = (c: SendCommand) =>
    c.replyToSeq === undefined ||
    (replyTargets.has(`${c.chatId} ${c.replyToSeq}`) &&
      c.replyToSeq > joinedSeq.get(`${c.chatId} ${c.senderId}`)!);
  // Files: each the sender's upload to the chat.
  const fileRows = await filesByIds(w.sql, [
    ...new Set(commands.flatMap((c) => (member(c) ? (c.fileIds ?? []) : []))),
  ]);
  const filesOf = (c: SendCommand) =>
    c.fileIds ? attachable(fileRows, c.fileIds, c.chatId, c.senderId) : undefined;
  const fresh: { index: number; command: SendCommand; pts: number }[] = [];
  const firstInBatch = new Map<string, number>();
  commands.forEach((command, index) => {
    if (results[index]) return;
    const k = keyOf(command);
    const original = stored.get(k);
    if (original) {
      results[index] = { ok: true, value: toMessage(original) };
    } else if (sendBlocked.has(`${command.chatId} ${command.senderId}`)) {
      results[index] = { ok: false, error: undeliverableError() };
    } else if (!canReply(command)) {
      results[index] = { ok: false, error: noSuchReplyTarget() };
    } else if (command.fileIds && !filesOf(command)) {
      results[index] = { ok: false, error: noSuchFile() };
    } else if (!firstInBatch.has(k)) {
      firstInBatch.set(k, fresh.length);
      fresh.push({ index, command, pts: w.nextPts() });
    }
  });
  if (fresh.length === 0)
    return fillRepeats(commands, results, (c) => firstInBatch.get(keyOf(c))!, fresh);

  // Seqs: each chat's counter moves once by its number of new messages.
  const perChat = new Map<string, { count: number; lastPts: number }>();
  for (const { command, pts } of fresh) {
    const chat = perChat.get(command.chatId) ?? { count: 0, lastPts: 0 };
    perChat.set(command.chatId, { count: chat.count + 1, lastPts: pts });
  }
  const chatIds = [...perChat.keys()];
  const counters = await w.sql.all<{ id: string; last_seq: number }>(
    `update chats c set last_seq = c.last_seq + v.n, last_pts = v.pts, last_activity_at = ?
     from unnest(?::text[], ?::int[], ?::bigint[]) as v(id, n, pts)
     where c.id = v.id returning c.id, c.last_seq`,
    [
      w.now,
      chatIds,
      chatIds.map((id) => perChat.get(id)!.count),
      chatIds.map((id) => perChat.get(id)!.lastPts),
    ],
  );
  const nextSeq = new Map(
    counters.map((c) => [c.id, Number(c.last_seq) - perChat.get(c.id)!.count + 1]),
  );
  const rows: (MessagesTable & { pts: number })[] = fresh.map(({ command, pts }) => {
    const seq = nextSeq.get(command.chatId)!;
    nextSeq.set(command.chatId, seq + 1);
    return {
      chat_id: command.chatId,
      seq,
      sender_id: signer(command),
      client_msg_id: command.clientMsgId,
      text: command.text,
      created_at: w.now,
      edited_at: null,
      deleted_at: null,
      pts,
      reply_to_seq: command.replyToSeq ?? null,
      files: command.fileIds ? JSON.stringify(filesOf(command)) : null,
    };
  });

  await w.sql.run(
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
  // Each sender's read pointer moves to their newest message in the chat (see sendStep).
  const readTo = new Map<string, { chatId: string; userId: string; seq: number }>();
  rows.forEach((r, i) => {
    const userId = fresh[i]!.command.senderId;
    readTo.set(`${r.chat_id} ${userId}`, { chatId: r.chat_id, userId, seq: r.seq });
  });
  const reads = [...readTo.values()];
  await w.sql.run(
    `update chat_members m set read_seq = v.seq
     from unnest(?::text[], ?::text[], ?::int[]) as v(chat_id, user_id, seq)
     where m.chat_id = v.chat_id and m.user_id = v.user_id`,
    [reads.map((r) => r.chatId), reads.map((r) => r.userId), reads.map((r) => r.seq)],
  );
  const payloads = rows.map((row) =>
    JSON.stringify({ kind: 'message.new', message: toMessage(row) }),
  );
  await w.sql.run(
    `insert into chat_updates (pts, chat_id, payload, created_at)
     select * from unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[])`,
    [rows.map((r) => r.pts), rows.map((r) => r.chat_id), payloads, rows.map(() => w.now)],
  );
  rows.forEach((row, i) => {
    publishChatUpdate(w, row.chat_id, row.pts, payloads[i]!);
    results[fresh[i]!.index] = { ok: true, value: toMessage(row) };
  });
  return fillRepeats(commands, results, (c) => firstInBatch.get(keyOf(c))!, fresh);
}

/** A repeat of a message first sent earlier in the same batch answers that message. */
function fillRepeats(
  commands: readonly SendCommand[],
  results: (SendResult | undefined)[],
  firstInBatch: (command: SendCommand) => number,
  fresh: readonly { index: number }[],
): SendResult[] {
  return results.map((result, index) => {
    if (result) return result;
    return results[fresh[firstInBatch(commands[index]!)]!.index]!;
  });
}
