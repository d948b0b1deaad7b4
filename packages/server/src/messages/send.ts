import type { Message } from '@tokki/protocol';
import { chatExists, moveReadPointer, senderMembership, takeSeq } from '../chats/sending.js';
import { Refused, type StepWriter } from '../db/batch.js';
import type { MessagesTable } from '../db/schema.js';
import { attachable, filesToAttach, markAttached } from '../media/attachments.js';
import { logChatUpdate } from '../updates/log.js';
import { decideSends, type SendCommand, type SendFacts } from './send-rules.js';
import * as store from './store.js';

/**
 * Stores one message in the batch's transaction, as the send rules decide (send-rules.ts) over
 * the facts this command needs, read with plain prepared statements: the SQLite write thread runs
 * every send this way, PostgreSQL a batch of one. A refused send has written nothing, so it fails
 * alone and the rest of its batch goes on (`Refused`).
 */
export async function sendStep(w: StepWriter, command: SendCommand): Promise<Message> {
  const decision = decideSends([command], await readFacts(w, command))[0]!;
  switch (decision.kind) {
    case 'refused':
      throw new Refused(decision.error);
    case 'original':
      return decision.message;
    case 'repeat':
      throw new Error('A batch of one send has no repeats.');
    case 'new': {
      const pts = w.nextPts();
      const seq = await takeSeq(w.sql, command.chatId, pts, w.now);
      const { signer, files } = decision;
      const row = messageRow(w, command, { seq, pts, signer, files });
      await store.insertMessage(w.sql, row);
      await markAttached(w.sql, command.chatId, seq, command.fileIds ?? []);
      await moveReadPointer(w.sql, command.chatId, command.senderId, seq);
      const message = store.toMessage(row);
      await logChatUpdate(w, command.chatId, pts, { kind: 'message.new', message }, [], {
        sender: { userId: command.senderId, clientMsgId: command.clientMsgId },
      });
      return store.toMessage(row, row.sender_id); // the sender's answer: with its clientMsgId
    }
  }
}

/** Only what the rules will ask about this command, in the order they ask. */
async function readFacts(w: StepWriter, command: SendCommand): Promise<SendFacts> {
  const { chatId, senderId, clientMsgId, replyToSeq, fileIds } = command;
  const membership = await senderMembership(w.sql, chatId, senderId);
  const exists = membership !== undefined || (await chatExists(w.sql, chatId));
  const stored =
    membership?.current &&
    (await store.findByClientMsgId(w.sql, chatId, membership.signer, clientMsgId));
  // Replies and files matter only to a member's new message.
  const asked = membership?.current && !stored && !membership.sendBlocked;
  const replyTarget =
    asked && replyToSeq !== undefined && (await store.messageExists(w.sql, chatId, replyToSeq));
  const files = asked && fileIds ? await filesToAttach(w.sql, fileIds) : undefined;
  return {
    membership: () => membership,
    chatExists: () => exists,
    stored: () => (stored ? store.toMessage(stored, stored.sender_id) : undefined),
    messageExists: () => Boolean(replyTarget),
    lastSeq: () => {
      throw new Error('A batch of one send has no message before it.');
    },
    attachable: (c) => files && attachable(files, c.fileIds!, c.chatId, c.senderId),
  };
}

/** A new message's row: sent now, at the seq and pts it took, signed as the rules decided. */
export function messageRow(
  w: StepWriter,
  command: SendCommand,
  taken: { seq: number; pts: number; signer: string; files: Message['files'] },
): MessagesTable {
  return {
    chat_id: command.chatId,
    seq: taken.seq,
    sender_id: taken.signer,
    client_msg_id: command.clientMsgId,
    text: command.text,
    created_at: w.now,
    edited_at: null,
    deleted_at: null,
    pts: taken.pts,
    reply_to_seq: command.replyToSeq ?? null,
    files: taken.files ? JSON.stringify(taken.files) : null,
  };
}
