import type { Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { ChatsDeps } from './deps.js';
import type { ChatMembership } from './membership.js';
import * as store from './store.js';

/**
 * What the secret domain (server/src/secret/) does with chats: a secret chat is a chat of kind
 * 'secret', whose members change only by MLS commits — a user joins when their first device is
 * added, and leaves when their last is removed. Everything else (seq, read pointers, unread
 * counters, the chat list, mute, catch-up) is a chat's.
 */
export class SecretChats {
  constructor(
    private readonly deps: ChatsDeps,
    private readonly membership: ChatMembership,
    private readonly insertChat: (
      w: Writer,
      chat: { kind: 'secret'; title: string; directKey: null; ownerId: string; memberIds: [] },
    ) => Promise<string>,
  ) {}

  /** A new secret chat with its creator as its owner and only member. */
  create(w: Writer, ownerId: string, title: string): Promise<string> {
    return this.insertChat(w, { kind: 'secret', title, directKey: null, ownerId, memberIds: [] });
  }

  /** Users whose first device a commit added become members (one `chat.joined`). */
  async join(w: Writer, chatId: string, userIds: readonly string[], byUserId: string) {
    if (userIds.length === 0) return;
    const chat = await store.findChat(w.db, chatId);
    if (chat?.kind !== 'secret') throw new ApiError('NOT_FOUND', 'No such secret chat.');
    await this.membership.join(w, chat, userIds, byUserId);
  }

  /** A user whose last device a commit removed leaves the chat (`chat.left` by the committer). */
  async leave(w: Writer, chatId: string, userId: string, byUserId: string): Promise<void> {
    await this.membership.endSecretMembership(w, chatId, userId, byUserId);
  }

  /** Of `chatIds`, the secret chats. */
  secretAmong(w: Writer | null, chatIds: readonly string[]): Promise<string[]> {
    return store.secretChatsAmong(w?.db ?? this.deps.database.db, chatIds);
  }

  /** The secret chats `userId` is a member of now. */
  async chatsOf(w: Writer | null, userId: string): Promise<string[]> {
    const db = w?.db ?? this.deps.database.db;
    return store.secretChatsAmong(db, await store.activeChatIds(db, userId));
  }

  /** Of `otherIds`, those who share a chat (not an open chat) with `userId` now. */
  chatMatesAmong(userId: string, otherIds: readonly string[]): Promise<string[]> {
    return store.chatMatesAmong(this.deps.database.db, userId, otherIds, [
      'direct',
      'group',
      'secret',
    ]);
  }
}

/** The refusal of what a secret chat does not take: only `secret.*` methods change it. */
export const secretChatError = (what: string) =>
  new ApiError('SECRET_CHAT', `A secret chat ${what}.`);
