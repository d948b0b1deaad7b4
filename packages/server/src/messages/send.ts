import type { Message } from '@tokki/protocol';
import { actorId, requireMemberForWrite, undeliverableError } from '../chats/service.js';
import { Refused, type StepWriter } from '../db/batch.js';
import { ApiError } from '../errors.js';
import { logChatUpdate } from '../updates/log.js';
import { attachable, filesByIds } from '../media/store.js';
import * as store from './store.js';

/** `messages.send` as data, so that it can run wherever the write connection is. */
export interface SendCommand {
  kind: 'message.send';
  senderId: string;
  chatId: string;
  clientMsgId: string;
  text: string;
  /** The message of the same chat this one answers, if any. */
  replyToSeq?: number;
  /** Files the sender uploaded to the chat, in order. */
  fileIds?: string[];
}

/**
 * Stores one message in the batch's transaction. The same `clientMsgId` from the same sender in
 * the same chat returns the original message instead of a second one. Checks come before any
 * write, so a refused send changes nothing, and the rest of its batch goes on (`Refused`).
 */
export async function sendStep(w: StepWriter, command: SendCommand): Promise<Message> {
  const { senderId, chatId, clientMsgId, text, replyToSeq, fileIds } = command;
  const membership = await requireMemberForWrite(w.sql, chatId, senderId).catch(
    (error: unknown) => {
      throw new Refused(error);
    },
  );
  // In an open chat the message is signed by the sender's room profile, not their user id.
  const sender = actorId(membership);
  const original = await store.findByClientMsgId(w.sql, chatId, sender, clientMsgId);
  if (original) return store.toMessage(original);
  if (membership.send_blocked) throw new Refused(undeliverableError());
  if (
    replyToSeq !== undefined &&
    !(await store.isVisible(w.sql, chatId, replyToSeq, membership.joined_seq))
  )
    throw new Refused(noSuchReplyTarget());
  const files = fileIds && attachable(await filesByIds(w.sql, fileIds), fileIds, chatId, senderId);
  if (fileIds && !files) throw new Refused(noSuchFile());

  const pts = w.nextPts();
  const seq = await store.nextSeq(w.sql, chatId, pts, w.now);
  const row = {
    chat_id: chatId,
    seq,
    sender_id: sender,
    client_msg_id: clientMsgId,
    text,
    created_at: w.now,
    edited_at: null,
    deleted_at: null,
    pts,
    reply_to_seq: replyToSeq ?? null,
    files: files ? JSON.stringify(files) : null,
  };
  await store.insertMessage(w.sql, row);
  // Sending means having read everything before: the sender's pointer moves with it, and
  // clients infer that from the message itself, so no separate read update is written.
  await store.setReadSeq(w.sql, chatId, senderId, seq);
  const message = store.toMessage(row);
  await logChatUpdate(w, chatId, pts, { kind: 'message.new', message });
  return message;
}

/** A reply to a message the sender cannot see, or that does not exist. */
export const noSuchReplyTarget = () =>
  new ApiError('NOT_FOUND', 'The message to reply to does not exist.');

/** A file that is not the sender's upload to this chat (or does not exist). */
export const noSuchFile = () =>
  new ApiError('NOT_FOUND', 'No such file: send files you uploaded to this chat.');
