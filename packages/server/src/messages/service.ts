import { createHash } from 'node:crypto';
import {
  isMessageTextTooLong,
  LIMITS,
  MESSAGE_TEXT_TOO_LONG,
  type Message,
  type MethodParams,
} from '@tokki/protocol';
import { actorId, undeliverableError } from '../chats/access.js';
import { secretChatError } from '../chats/secret-chats.js';
import type { ChatsService } from '../chats/service.js';
import { decodeCursor, encodeCursor } from '../pagination/cursor.js';
import type { Database } from '../db/database.js';
import type { MessagesTable } from '../db/schema.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { UpdatesService } from '../updates/service.js';
import { decodeSearchCursor, searchCursor, searchPage } from './search.js';
import { Refused } from '../db/batch.js';
import type { MemoryRateLimiter } from '../rate-limit/memory.js';
import { newId } from '../ids.js';
import type { Principal } from '../rpc/route.js';
import { copyFile, deleteFilesOfMessage } from '../media/attachments.js';
import type { MediaService } from '../media/service.js';
import { lastSeq, moveReadPointer } from '../chats/sending.js';
import type { SendCommand } from './send-rules.js';
import { sendStep } from './send.js';
import * as store from './store.js';

/**
 * The clientMsgId of a forward's copy in one target chat: each copy its own, so that one in an
 * open chat cannot be tied to the sender's copy elsewhere; derived, so that a retry finds it.
 */
export function forwardCopyId(clientMsgId: string, chatId: string): string {
  const digest = createHash('sha256').update(`${clientMsgId}\n${chatId}`).digest('base64url');
  return `fwd.${digest}`;
}

/** Messages one history page has when the caller asks for no number. */
const HISTORY_PAGE_DEFAULT = 50;

/** Sending, history and read pointers. */
export class MessagesService {
  constructor(
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly chats: ChatsService,
    private readonly updates: UpdatesService,
    private readonly media: MediaService,
    /** Messages per user (config's `rateLimits.messagesPerUser`), counted before the write. */
    private readonly sends: MemoryRateLimiter,
    /** What "within 24 hours" is measured by; tests move it. */
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Stores a message and answers once it is durably committed (see `sendStep`). The same
   * `clientMsgId` from the same sender in the same chat returns the original message.
   */
  async send(principal: Principal, params: MethodParams<'messages.send'>): Promise<Message> {
    const { chatId, clientMsgId, text, replyToSeq, fileIds } = params;
    if (fileIds) {
      checkLength(text);
      if (new Set(fileIds).size !== fileIds.length)
        throw new ApiError('INVALID_PARAMS', 'A file is given twice.');
    } else {
      checkText(text);
    }
    // Only a send that could be stored counts: bad input is refused without spending the limit.
    this.spendSends(principal.userId, 1);
    const command: SendCommand = {
      kind: 'message.send',
      senderId: principal.userId,
      chatId,
      clientMsgId,
      text,
      ...(replyToSeq !== undefined && { replyToSeq }),
      ...(fileIds && { fileIds }),
    };
    return this.writes.runCommand<Message>(command);
  }

  /**
   * Sends a copy of a message the caller can see (its text and files) to other chats of theirs,
   * in one transaction: all or none. The files become the caller's in each target chat (new ids
   * over the same bytes). A retry with the same `clientMsgId` answers the copies already made.
   */
  async forward(
    principal: Principal,
    { chatId, seq, toChatIds, clientMsgId }: MethodParams<'messages.forward'>,
  ): Promise<Message[]> {
    const { userId } = principal;
    this.spendSends(userId, new Set(toChatIds).size);
    return this.writes.run(async (w) => {
      const { message: source } = await this.requireVisible(w, userId, chatId, seq);
      if (source.deleted_at !== null)
        throw new ApiError('CONFLICT', 'The message was deleted for everyone.');
      const files = store.toMessage(source).files ?? [];
      const copies: Message[] = [];
      for (const target of [...new Set(toChatIds)]) {
        const membership = await this.chats.requireMember(w, target, userId);
        const sender = actorId(membership);
        const copyId = forwardCopyId(clientMsgId, target);
        const original = await store.findByClientMsgId(w.sql, target, sender, copyId);
        if (original) {
          copies.push(store.toMessage(original, sender));
          continue;
        }
        const fileIds: string[] = [];
        for (const file of files) {
          const id = newId('f');
          await copyFile(w, file.id, { id, chatId: target, uploaderId: userId });
          fileIds.push(id);
        }
        const command = {
          kind: 'message.send',
          senderId: userId,
          chatId: target,
          clientMsgId: copyId,
          text: source.text,
          ...(fileIds.length > 0 && { fileIds }),
        } as const;
        copies.push(
          await sendStep(w, command).catch((error: unknown) => {
            throw error instanceof Refused ? error.reason : error;
          }),
        );
      }
      return copies;
    });
  }

  /**
   * Counts sends against the caller's limit, in memory: a map lookup on the hot path, where a
   * database row would cost a write per message. A retry of a stored message counts again.
   */
  private spendSends(userId: string, count: number): void {
    const retryAfter = this.sends.hit(userId, count);
    if (retryAfter)
      throw new ApiError('RATE_LIMITED', 'Too many messages; try again later.', retryAfter);
  }

  /** Pins a message the caller can see at the top of the chat for everyone, or unpins (null). */
  async pin(principal: Principal, { chatId, seq }: MethodParams<'chats.pin'>): Promise<void> {
    const { userId } = principal;
    await this.writes.run(async (w) => {
      const membership = await this.chats.requireMember(w, chatId, userId);
      await this.requirePlainChat(w, chatId);
      // Blocked in this 1:1: refused as a send is, in the same words.
      if (membership.send_blocked) throw undeliverableError();
      if (seq !== null) {
        const { message } = await this.requireVisible(w, userId, chatId, seq);
        if (message.deleted_at !== null)
          throw new ApiError('CONFLICT', 'The message was deleted for everyone.');
      }
      if ((await this.chats.pinnedSeq(w, chatId)) === seq) return;
      await this.chats.setPinned(w, chatId, seq);
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.pinned',
        chatId,
        seq,
        byUserId: actorId(membership),
      });
    });
  }

  /**
   * Sets the caller's reaction to a message they can see (one per member), or takes it back
   * (`null`); every member gets `message.reacted`. Nothing changes, and no update, if it is already so.
   */
  async react(
    principal: Principal,
    { chatId, seq, reaction }: MethodParams<'messages.react'>,
  ): Promise<void> {
    const { userId } = principal;
    await this.writes.run(async (w) => {
      const { message, membership } = await this.requireVisible(w, userId, chatId, seq);
      if (membership.send_blocked) throw undeliverableError();
      if (message.deleted_at !== null)
        throw new ApiError('CONFLICT', 'The message was deleted for everyone.');
      const reactor = actorId(membership);
      const current = await store.reactionOf(w.db, chatId, seq, reactor);
      if ((current ?? null) === reaction) return;
      await store.setReaction(w.db, chatId, seq, reactor, reaction, w.now);
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'message.reacted',
        chatId,
        seq,
        userId: reactor,
        reaction,
      });
    });
  }

  /** Changes the text of the caller's own message, within 24 hours of sending it. */
  async edit(
    principal: Principal,
    { chatId, seq, text }: MethodParams<'messages.edit'>,
  ): Promise<Message> {
    const { userId } = principal;
    checkText(text);
    return this.writes.run(async (w) => {
      const { message } = await this.requireOwnRecent(w, userId, chatId, seq, 'edited');
      if (message.text === text) return store.toMessage(message);
      const edited = { ...message, text, edited_at: w.now };
      await this.rewrite(w, edited);
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'message.edited',
        chatId,
        seq,
        text,
        editedAt: w.now,
      });
      return store.toMessage(edited);
    });
  }

  /**
   * Deletes a message for everyone (the caller's own, within 24 hours) or for the caller alone
   * (any message they can see, on all their devices). Deleted for everyone, nothing of it stays
   * on the server but a tombstone: its text (in the log's `message.new` and edits too), its
   * files and their bytes (unless a forward's copy uses them), its reactions and its pin.
   */
  async delete(
    principal: Principal,
    { chatId, seq, forEveryone }: MethodParams<'messages.delete'>,
  ): Promise<void> {
    const { userId } = principal;
    const unusedBlobs = await this.writes.run(async (w): Promise<string[]> => {
      if (!forEveryone) {
        await this.requireVisible(w, userId, chatId, seq);
        await store.hide(w.db, userId, chatId, seq, w.now);
        await this.updates.appendUserUpdate(w, userId, { kind: 'message.hidden', chatId, seq });
        return [];
      }
      const { message, membership } = await this.requireOwnRecent(
        w,
        userId,
        chatId,
        seq,
        'deleted',
      );
      await this.rewrite(w, { ...message, text: '', files: null, deleted_at: w.now });
      await this.updates.eraseEditedTexts(w, chatId, seq, Number(message.pts ?? 0));
      const blobs = await deleteFilesOfMessage(w.sql, chatId, seq);
      // A tombstone keeps nothing of the message, reactions and pin included.
      await store.clearReactions(w.db, chatId, seq);
      if ((await this.chats.pinnedSeq(w, chatId)) === seq) {
        await this.chats.setPinned(w, chatId, null);
        await this.updates.appendChatUpdate(w, chatId, {
          kind: 'chat.pinned',
          chatId,
          seq: null,
          byUserId: actorId(membership),
        });
      }
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'message.deleted',
        chatId,
        seq,
        deletedAt: w.now,
      });
      return blobs;
    });
    // After the commit: bytes erased cannot come back if the transaction had failed.
    await this.media.dropUnused(unusedBlobs);
  }

  /**
   * Stores an edit or a deletion, and makes the message's `message.new` in the log say the same:
   * a device catching up gets the message as it is now, and a deleted text leaves the server.
   */
  private async rewrite(w: Writer, message: MessagesTable): Promise<void> {
    await store.rewrite(w.sql, message);
    if (message.pts === null) return;
    await this.updates.rewriteChatUpdate(w, message.chat_id, Number(message.pts), {
      kind: 'message.new',
      message: store.toMessage(message),
    });
  }

  /** A message the caller can see (in a chat they are in, sent after they joined); their membership. */
  private async requireVisible(w: Writer, userId: string, chatId: string, seq: number) {
    const membership = await this.chats.requireMember(w, chatId, userId);
    await this.requirePlainChat(w, chatId);
    const message = seq > membership.joined_seq ? await store.find(w.sql, chatId, seq) : undefined;
    if (!message) throw new ApiError('NOT_FOUND', 'No such message.');
    return { message, membership };
  }

  /**
   * Refuses a secret chat: its messages are ciphertexts the server cannot read, edit, react to,
   * pin, forward or search, and it takes none but `secret.send`'s.
   */
  private async requirePlainChat(w: Writer | null, chatId: string): Promise<void> {
    if ((await this.chats.kindOf(w, chatId)) === 'secret')
      throw secretChatError('takes only `secret.*` methods');
  }

  /** The caller's own message, not deleted, sent less than 24 hours ago (by `clock`). */
  private async requireOwnRecent(
    w: Writer,
    userId: string,
    chatId: string,
    seq: number,
    action: 'edited' | 'deleted',
  ) {
    const visible = await this.requireVisible(w, userId, chatId, seq);
    const { message, membership } = visible;
    if (message.sender_id !== actorId(membership))
      throw new ApiError('FORBIDDEN', `Only its sender can change a message.`);
    if (message.deleted_at !== null)
      throw new ApiError('CONFLICT', 'The message was deleted for everyone.');
    const windowMs = LIMITS.MESSAGE_EDIT_WINDOW_SECONDS * 1000;
    if (this.clock() - Number(message.created_at) > windowMs)
      throw new ApiError('FORBIDDEN', `A message can be ${action} for 24 hours after sending.`);
    return visible;
  }

  async history(
    principal: Principal,
    { chatId, limit = HISTORY_PAGE_DEFAULT, cursor }: MethodParams<'messages.history'>,
  ) {
    const { userId } = principal;
    const membership = await this.chats.requireMember(null, chatId, userId);
    await this.requirePlainChat(null, chatId);
    const before = cursor ? decodeCursor(cursor, isSeq) : null;
    const rows = await store.historyPage(
      this.database.db,
      userId,
      chatId,
      membership.joined_seq,
      before,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      messages: await this.withReactions(chatId, page, actorId(membership)),
      cursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
    };
  }

  /**
   * The caller's messages containing `query` (trimmed, case-insensitive), newest first across
   * their chats or in `chatId` alone; see messages/search.ts for what counts as theirs.
   */
  async search(
    principal: Principal,
    { query, chatId, limit = LIMITS.SEARCH_PAGE_MAX, cursor }: MethodParams<'messages.search'>,
  ) {
    const { userId } = principal;
    const text = query.trim();
    if ([...text].length > LIMITS.SEARCH_QUERY_MAX)
      throw new ApiError(
        'TEXT_TOO_LONG',
        `Search is limited to ${LIMITS.SEARCH_QUERY_MAX} characters.`,
      );
    if (!text) throw new ApiError('INVALID_PARAMS', 'Nothing to search for.');
    const after = cursor ? decodeSearchCursor(cursor) : null;
    if (chatId) await this.requirePlainChat(null, chatId);
    const memberships = chatId
      ? [
          {
            chatId,
            joinedSeq: (await this.chats.requireMember(null, chatId, userId)).joined_seq,
          },
        ]
      : await this.chats.currentMemberships(userId);
    const rows = await searchPage(this.database.db, this.database.dialect, {
      userId,
      text,
      memberships,
      after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      messages: page.map((row) => store.toMessage(row, userId)),
      cursor: rows.length > limit && last ? searchCursor(last) : null,
    };
  }

  /** Messages of a chat by seq, those the caller can see, in seq order. */
  async get(
    principal: Principal,
    { chatId, seqs }: MethodParams<'messages.get'>,
  ): Promise<Message[]> {
    const { userId } = principal;
    const membership = await this.chats.requireMember(null, chatId, userId);
    await this.requirePlainChat(null, chatId);
    const rows = await store.visibleBySeq(this.database.db, userId, chatId, membership.joined_seq, [
      ...new Set(seqs),
    ]);
    return this.withReactions(chatId, rows, actorId(membership));
  }

  /** `viewer`: who the caller is in the chat (their own messages keep their clientMsgId). */
  private async withReactions(
    chatId: string,
    rows: MessagesTable[],
    viewer: string,
  ): Promise<Message[]> {
    const reactions = await store.reactionsOf(
      this.database.db,
      chatId,
      rows.map((row) => row.seq),
    );
    return rows.map((row) => {
      const message = store.toMessage(row, viewer);
      const reacted = reactions.get(row.seq);
      return reacted ? { ...message, reactions: reacted } : message;
    });
  }

  /** Moves the caller's read pointer forward to `seq` (clamped to the newest message). */
  async markRead(
    principal: Principal,
    { chatId, seq }: MethodParams<'messages.markRead'>,
  ): Promise<number> {
    const { userId } = principal;
    return this.writes.run(async (w) => {
      const membership = await this.chats.requireMember(w, chatId, userId);
      const readSeq = Math.min(seq, await lastSeq(w.sql, chatId));
      if (readSeq <= membership.read_seq) return membership.read_seq;
      await moveReadPointer(w.sql, chatId, userId, readSeq);
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.read',
        chatId,
        userId: actorId(membership),
        readSeq,
      });
      return readSeq;
    });
  }

  /** Of `chatIds`, those where someone other than `userId` has sent a message (for chats). */
  answeredIn(w: Writer, chatIds: readonly string[], userId: string): Promise<string[]> {
    return store.chatsWithSendersOtherThan(w.db, chatIds, userId);
  }

  async lastMessages(keys: { chatId: string; seq: number }[]): Promise<Map<string, Message>> {
    const rows = await store.findByKeys(this.database.db, keys);
    return new Map(rows.map((row) => [row.chat_id, store.toMessage(row)]));
  }
}

function checkText(text: string): void {
  checkLength(text);
  if (!text.trim()) throw new ApiError('INVALID_PARAMS', 'Text is empty.');
}

function checkLength(text: string): void {
  if (isMessageTextTooLong(text)) throw new ApiError('TEXT_TOO_LONG', MESSAGE_TEXT_TOO_LONG);
}

const isSeq = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;
