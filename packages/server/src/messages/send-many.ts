import type { Message } from '@tokki/protocol';
import {
  chatLastSeqs,
  existingChats,
  membershipKey,
  moveReadPointers,
  senderMemberships,
  takeSeqs,
} from '../chats/sending.js';
import type { CommandOutcome } from '../db/commands.js';
import type { StepWriter } from '../db/batch.js';
import type { MessagesTable } from '../db/schema.js';
import { attachable, filesToAttach, markAttachedMany } from '../media/attachments.js';
import { logChatUpdates } from '../updates/log.js';
import { messageRow } from './send.js';
import { decideSends, type SendCommand, type SendFacts } from './send-rules.js';
import * as store from './store.js';

/**
 * A batch of sends on PostgreSQL as a few set-based statements, whatever its size, where
 * `sendStep` takes several round trips per message — the limit on PostgreSQL
 * (docs/performance.md). The same rules decide (send-rules.ts), over facts read for the whole
 * batch at once, so the outcomes are those of running `sendStep` for each command in order.
 */
export async function sendManyOnPostgres(
  w: StepWriter,
  commands: readonly SendCommand[],
): Promise<CommandOutcome[]> {
  const decisions = decideSends(commands, await readFacts(w, commands));
  const fresh: NewMessage[] = [];
  /** Where each new message's command is in the batch. */
  const freshAt = new Map<number, number>();
  decisions.forEach((decision, index) => {
    if (decision.kind !== 'new') return;
    freshAt.set(index, fresh.length);
    const { signer, files } = decision;
    fresh.push({ command: commands[index]!, pts: w.nextPts(), signer, files });
  });
  const messages = fresh.length > 0 ? await storeNewMessages(w, fresh) : [];
  return decisions.map((decision, index): CommandOutcome => {
    switch (decision.kind) {
      case 'refused':
        return { ok: false, error: decision.error };
      case 'original':
        return { ok: true, value: decision.message };
      case 'repeat':
        return { ok: true, value: messages[freshAt.get(decision.of)!]! };
      case 'new':
        return { ok: true, value: messages[freshAt.get(index)!]! };
    }
  });
}

interface NewMessage {
  command: SendCommand;
  pts: number;
  signer: string;
  files: Message['files'];
}

/** Every fact the rules may ask about any command of the batch, in a statement each. */
async function readFacts(w: StepWriter, commands: readonly SendCommand[]): Promise<SendFacts> {
  const memberships = await senderMemberships(
    w.sql,
    commands.map((c) => ({ chatId: c.chatId, userId: c.senderId })),
  );
  const membershipOf = (c: SendCommand) => memberships.get(membershipKey(c.chatId, c.senderId));
  const members = commands.filter((c) => membershipOf(c)?.current);
  const strangers = commands.filter((c) => !membershipOf(c));
  const chats = await existingChats(w.sql, [...new Set(strangers.map((c) => c.chatId))]);
  const stored = new Map<string, MessagesTable>();
  const originals =
    members.length > 0
      ? await store.findByClientMsgIds(
          w.sql,
          members.map((c) => ({
            chatId: c.chatId,
            senderId: membershipOf(c)!.signer,
            clientMsgId: c.clientMsgId,
          })),
        )
      : [];
  for (const row of originals)
    stored.set(storedKey(row.chat_id, row.sender_id, row.client_msg_id), row);
  const replies = members.filter((c) => c.replyToSeq !== undefined);
  const targets =
    replies.length > 0
      ? await store.existingMessages(
          w.sql,
          replies.map((c) => ({ chatId: c.chatId, seq: c.replyToSeq! })),
        )
      : new Set<string>();
  // A reply to no stored message may answer one sent earlier in the batch: its chat's seqs tell.
  const unresolved = replies.filter((c) => !targets.has(`${c.chatId} ${c.replyToSeq}`));
  const lastSeqs = await chatLastSeqs(w.sql, [...new Set(unresolved.map((c) => c.chatId))]);
  const files = await filesToAttach(
    w.sql,
    members.flatMap((c) => c.fileIds ?? []),
  );
  return {
    membership: (chatId, userId) => memberships.get(membershipKey(chatId, userId)),
    chatExists: (chatId) => chats.has(chatId),
    stored: (chatId, signer, clientMsgId) => {
      const row = stored.get(storedKey(chatId, signer, clientMsgId));
      return row && store.toMessage(row, row.sender_id);
    },
    messageExists: (chatId, seq) => targets.has(`${chatId} ${seq}`),
    lastSeq: (chatId) => lastSeqs.get(chatId) ?? Infinity,
    attachable: (c) => attachable(files, c.fileIds!, c.chatId, c.senderId),
  };
}

const storedKey = (chatId: string, signer: string, clientMsgId: string) =>
  JSON.stringify([chatId, signer, clientMsgId]);

/**
 * Writes the batch's new messages: each chat's seq counter moves once by its number of new
 * messages, then the messages, the senders' read pointers and the update log, a statement each.
 */
async function storeNewMessages(w: StepWriter, fresh: readonly NewMessage[]): Promise<Message[]> {
  const perChat = new Map<string, { count: number; lastPts: number }>();
  for (const { command, pts } of fresh) {
    const chat = perChat.get(command.chatId) ?? { count: 0, lastPts: 0 };
    perChat.set(command.chatId, { count: chat.count + 1, lastPts: pts });
  }
  const nextSeq = await takeSeqs(w.sql, perChat, w.now);
  const rows = fresh.map(({ command, ...taken }) => {
    const seq = nextSeq.get(command.chatId)!;
    nextSeq.set(command.chatId, seq + 1);
    return messageRow(w, command, { seq, ...taken });
  });
  await store.insertMessages(w.sql, rows);
  await markAttachedMany(
    w.sql,
    rows.flatMap((row, i) =>
      (fresh[i]!.command.fileIds ?? []).map((fileId) => ({
        chatId: row.chat_id,
        seq: row.seq,
        fileId,
      })),
    ),
  );
  // Each sender's read pointer moves to their newest message in the chat (see moveReadPointer).
  const reads = new Map<string, { chatId: string; userId: string; seq: number }>();
  rows.forEach((row, i) => {
    const userId = fresh[i]!.command.senderId;
    reads.set(membershipKey(row.chat_id, userId), { chatId: row.chat_id, userId, seq: row.seq });
  });
  await moveReadPointers(w.sql, [...reads.values()]);
  await logChatUpdates(
    w,
    rows.map((row, i) => ({
      chatId: row.chat_id,
      pts: fresh[i]!.pts,
      update: { kind: 'message.new', message: store.toMessage(row) },
      sender: { userId: fresh[i]!.command.senderId, clientMsgId: row.client_msg_id },
    })),
  );
  // The senders' answers: with their clientMsgIds.
  return rows.map((row) => store.toMessage(row, row.sender_id));
}
