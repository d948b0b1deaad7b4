import type { FileInfo, Message } from '@tokki/protocol';
import type { SenderMembership } from '../chats/sending.js';
import { membershipError, undeliverableError } from '../chats/access.js';
import { secretChatError } from '../chats/secret-chats.js';
import { ApiError } from '../errors.js';

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
 * What the rules need to know, read before deciding: for one command by the SQLite step, for a
 * whole batch at once by the PostgreSQL one. A fact a command does not need may be missing.
 */
export interface SendFacts {
  membership(chatId: string, userId: string): SenderMembership | undefined;
  chatExists(chatId: string): boolean;
  /** The message already stored under this signer's `clientMsgId` in the chat. */
  stored(chatId: string, signer: string, clientMsgId: string): Message | undefined;
  /** Whether message `seq` of the chat was stored before the batch. */
  messageExists(chatId: string, seq: number): boolean;
  /**
   * The chat's newest seq before the batch: asked only for a reply in a chat that has a new
   * message earlier in the same batch (it may be the one replied to).
   */
  lastSeq(chatId: string): number;
  /** The files as the message will carry them, or undefined unless each is the sender's upload to the chat. */
  attachable(command: SendCommand): FileInfo[] | undefined;
}

export type SendDecision =
  | { kind: 'refused'; error: ApiError }
  /** A retry of a stored message: answered with it, nothing written. */
  | { kind: 'original'; message: Message }
  /** A retry of a new message earlier in the same batch: answered with that one. */
  | { kind: 'repeat'; of: number }
  | { kind: 'new'; signer: string; files: FileInfo[] | undefined };

/**
 * The send rules, for commands run in order in one transaction: each decision is what running
 * the commands one at a time would give. A retry (same chat, signer and `clientMsgId`) answers
 * the original before any other check, so a retry whose reply target or files changed still gets
 * the message first sent; a refused send changes nothing.
 */
export function decideSends(commands: readonly SendCommand[], facts: SendFacts): SendDecision[] {
  const newInBatch = new Map<string, number>();
  const newPerChat = new Map<string, number>();
  /** Files attached by a new message earlier in this batch: a file belongs to one message. */
  const attachedInBatch = new Set<string>();
  /** A message stored before, or new earlier in this batch (which takes the chat's next seqs). */
  const exists = (chatId: string, seq: number) => {
    if (facts.messageExists(chatId, seq)) return true;
    const added = newPerChat.get(chatId) ?? 0;
    if (added === 0) return false;
    const last = facts.lastSeq(chatId);
    return seq > last && seq <= last + added;
  };
  return commands.map((command, index): SendDecision => {
    const membership = facts.membership(command.chatId, command.senderId);
    if (!membership?.current) {
      return {
        kind: 'refused',
        error: membershipError(!membership && !facts.chatExists(command.chatId)),
      };
    }
    // Ciphertexts only, by `secret.send`: a plain message (or a forward's copy) would be readable.
    if (membership.secret)
      return { kind: 'refused', error: secretChatError('takes only encrypted messages') };
    const { signer } = membership;
    const stored = facts.stored(command.chatId, signer, command.clientMsgId);
    if (stored) return { kind: 'original', message: stored };
    const key = JSON.stringify([command.chatId, signer, command.clientMsgId]);
    const earlier = newInBatch.get(key);
    if (earlier !== undefined) return { kind: 'repeat', of: earlier };
    if (membership.sendBlocked) return { kind: 'refused', error: undeliverableError() };
    const { replyToSeq } = command;
    if (
      replyToSeq !== undefined &&
      !(replyToSeq > membership.joinedSeq && exists(command.chatId, replyToSeq))
    )
      return { kind: 'refused', error: noSuchReplyTarget() };
    const files = command.fileIds && facts.attachable(command);
    if (command.fileIds && (!files || command.fileIds.some((id) => attachedInBatch.has(id))))
      return { kind: 'refused', error: noSuchFile() };
    for (const id of command.fileIds ?? []) attachedInBatch.add(id);
    newInBatch.set(key, index);
    newPerChat.set(command.chatId, (newPerChat.get(command.chatId) ?? 0) + 1);
    return { kind: 'new', signer, files };
  });
}

/** A reply to a message the sender cannot see, or that does not exist. */
export const noSuchReplyTarget = () =>
  new ApiError('NOT_FOUND', 'The message to reply to does not exist.');

/** A file that is not the sender's upload to this chat, was sent already, or does not exist. */
export const noSuchFile = () =>
  new ApiError(
    'NOT_FOUND',
    'No such file: send files you uploaded to this chat, each in one message.',
  );
