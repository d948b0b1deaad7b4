import type { Chat, Member, Message, Update } from '@tokki/protocol';
import { LIMITS } from '@tokki/protocol';
import { isConnectionError, mergeMessages, TokkiError, type MethodResult } from '@tokki/sdk';
import { applyUpdate } from './apply-update';
import { forgetChat, putChat, updateChat } from './chats';
import { dropPending, followingSeq, insertMessage, missedBefore, setHistory } from './history';
import { StoreCore } from './store-core';
import type { History } from './types';

const HISTORY_PAGE = 60;
const OLDER_PAGE = 100;

/** The store's loading: chat list, friends, members and history pages, and read pointers. */
export class LoadingStore extends StoreCore {
  /** Friend updates applied while the lists load, applied again on top of what loads. */
  protected friendUpdatesDuringLoad: Update[] | undefined;
  readonly #markingRead = new Map<string, number>();
  /** chatId → ids asked for as former members (found or not): not asked again. */
  protected readonly askedFormer = new Map<string, Set<string>>();

  /** Reloads the chat list (every page). */
  async refreshChats(): Promise<void> {
    const client = this.clientOrNone;
    if (!client) return;
    const chats: Record<string, Chat> = {};
    let cursor: string | undefined;
    try {
      do {
        const page = await client.call('chats.list', { limit: 200, ...(cursor && { cursor }) });
        for (const chat of page.chats) chats[chat.id] = chat;
        cursor = page.cursor ?? undefined;
      } while (cursor);
    } catch (error) {
      if (!isConnectionError(error)) console.warn('chats.list failed', error);
      return;
    }
    if (client !== this.clientOrNone) return;
    // Keep an open chat's unread count at zero: it is being read.
    const open = this.state.openChatId;
    const removed = Object.keys(this.state.chats).filter((id) => !chats[id]);
    this.change((state) => {
      let next = state;
      for (const id of removed) next = forgetChat(next, id);
      return { ...next, chats, chatsLoaded: true };
    });
    if (open && chats[open]) this.maybeMarkRead(open);
  }

  /** Reloads friends, recommendations and blocked users. */
  async refreshFriends(): Promise<void> {
    const client = this.clientOrNone;
    if (!client) return;
    const during: Update[] = [];
    this.friendUpdatesDuringLoad = during;
    let results: [
      MethodResult<'friends.list'>,
      MethodResult<'friends.recommended'>,
      MethodResult<'friends.blocked'>,
    ];
    try {
      results = await Promise.all([
        client.call('friends.list', {}),
        client.call('friends.recommended', {}),
        client.call('friends.blocked', {}),
      ]);
    } catch (error) {
      if (!isConnectionError(error)) console.warn('friends: loading failed', error);
      return;
    } finally {
      if (this.friendUpdatesDuringLoad === during) this.friendUpdatesDuringLoad = undefined;
    }
    if (client !== this.clientOrNone) return;
    const [{ friends }, { recommendations }, { users }] = results;
    this.change((state) => {
      let next = {
        ...state,
        friends: Object.fromEntries(friends.map((f) => [f.user.id, f])),
        friendsLoaded: true,
        recommendations: Object.fromEntries(recommendations.map((r) => [r.user.id, r])),
        blocked: Object.fromEntries(users.map((u) => [u.id, u])),
      };
      // The lists may have been read before these were applied: apply them again on top.
      for (const update of during) next = applyUpdate(next, update);
      return next;
    });
  }

  /** Fetches a chat the list does not have yet (a new chat, a deep link). */
  async fetchChat(chatId: string): Promise<Chat | undefined> {
    const client = this.clientOrNone;
    if (!client) return undefined;
    try {
      const chat = await client.call('chats.get', { chatId });
      if (client !== this.clientOrNone) return undefined;
      this.change((state) => putChat(state, chat));
      return chat;
    } catch (error) {
      if (
        error instanceof TokkiError &&
        (error.code === 'NOT_MEMBER' || error.code === 'NOT_FOUND')
      ) {
        this.change((state) => forgetChat(state, chatId));
      }
      throw error;
    }
  }

  /** Every member of a chat with their read pointers. */
  async loadMembers(chatId: string): Promise<void> {
    const client = this.clientOrNone;
    if (!client) return;
    const members: Record<string, Member> = {};
    let cursor: string | undefined;
    try {
      do {
        const page = await client.call('chats.members', {
          chatId,
          limit: 1000,
          ...(cursor && { cursor }),
        });
        for (const member of page.members) members[member.user.id] = member;
        cursor = page.cursor ?? undefined;
      } while (cursor);
    } catch (error) {
      if (!isConnectionError(error)) console.warn('chats.members failed', error);
      return;
    }
    if (client !== this.clientOrNone) return;
    // Pointers only move forward: keep any update that arrived while the pages loaded.
    const current = this.state.members[chatId] ?? {};
    for (const [userId, member] of Object.entries(members)) {
      const seen = current[userId];
      if (seen && seen.readSeq > member.readSeq)
        members[userId] = { ...member, readSeq: seen.readSeq };
    }
    this.set({ members: { ...this.state.members, [chatId]: members } });
    void this.#nameFormerMembers(chatId);
  }

  /**
   * Names the senders of loaded messages who are no longer members, once each: their messages
   * stay, and keep their name (in an open chat, their nickname).
   */
  async #nameFormerMembers(chatId: string): Promise<void> {
    const client = this.clientOrNone;
    const members = this.state.members[chatId];
    const messages = this.state.histories[chatId]?.messages;
    if (!client || !members || !messages) return;
    let asked = this.askedFormer.get(chatId);
    if (!asked) this.askedFormer.set(chatId, (asked = new Set()));
    const missing = [...new Set(messages.map((m) => m.senderId))].filter(
      (id) => !members[id] && !asked.has(id),
    );
    if (missing.length === 0) return;
    for (const id of missing) asked.add(id);
    try {
      const found: Record<string, Member> = {};
      for (let start = 0; start < missing.length; start += LIMITS.USERS_PER_CALL_MAX) {
        const userIds = missing.slice(start, start + LIMITS.USERS_PER_CALL_MAX);
        const page = await client.call('chats.members', { chatId, userIds });
        for (const member of page.members) found[member.user.id] = member;
      }
      if (client !== this.clientOrNone) return;
      const former = { ...this.state.formerMembers[chatId], ...found };
      this.set({ formerMembers: { ...this.state.formerMembers, [chatId]: former } });
    } catch (error) {
      for (const id of missing) asked.delete(id);
      if (!isConnectionError(error)) console.warn('chats.members failed', error);
    }
  }

  /** The newest page of a chat's history, merged with what is loaded. */
  async loadNewest(chatId: string): Promise<void> {
    const client = this.clientOrNone;
    // A secret chat's history is on this device only (lib/secret): the server has none to give.
    if (!client || this.state.chats[chatId]?.kind === 'secret') return;
    let page: MethodResult<'messages.history'>;
    try {
      page = await client.call('messages.history', { chatId, limit: HISTORY_PAGE });
    } catch (error) {
      if (!isConnectionError(error)) console.warn('messages.history failed', error);
      return;
    }
    if (client !== this.clientOrNone) return;
    const fetched = [...page.messages].reverse();
    const current = this.state.histories[chatId];
    let next: History;
    if (!current || current.messages.length === 0 || fetched.length === 0) {
      next = { messages: fetched, olderCursor: page.cursor, loadingOlder: false };
      if (current && fetched.length === 0) next = { ...current, olderCursor: null };
    } else {
      const first = fetched[0]!;
      const last = current.messages.at(-1)!;
      if (followingSeq(this.state, chatId, last.seq) < first.seq) {
        // A gap between what we had and the newest page: start over from the newest.
        next = { messages: fetched, olderCursor: page.cursor, loadingOlder: false };
      } else {
        const messages = mergeMessages(current.messages, fetched);
        const olderCursor =
          current.messages[0]!.seq < first.seq && current.olderCursor !== undefined
            ? current.olderCursor
            : page.cursor;
        next = { messages, olderCursor, loadingOlder: false };
      }
    }
    this.change((state) => {
      let changed = setHistory(state, chatId, next);
      for (const message of fetched) changed = dropPending(changed, message);
      return changed;
    });
    void this.#nameFormerMembers(chatId);
  }

  /** The page before the oldest loaded message. */
  async loadOlder(chatId: string): Promise<void> {
    const client = this.clientOrNone;
    const history = this.state.histories[chatId];
    if (!client || !history || history.loadingOlder || history.olderCursor === null) return;
    if (history.olderCursor === undefined) {
      // A cached history has no cursor: the newest page brings one, then page back from it.
      await this.loadNewest(chatId);
      if (typeof this.state.histories[chatId]?.olderCursor === 'string') {
        await this.loadOlder(chatId);
      }
      return;
    }
    this.change((state) => setHistory(state, chatId, { ...history, loadingOlder: true }));
    try {
      const page = await client.call('messages.history', {
        chatId,
        limit: OLDER_PAGE,
        cursor: history.olderCursor,
      });
      if (client !== this.clientOrNone) return;
      const current = this.state.histories[chatId] ?? history;
      const older = [...page.messages].reverse();
      this.change((state) =>
        setHistory(state, chatId, {
          messages: mergeMessages(older, current.messages),
          olderCursor: page.cursor,
          loadingOlder: false,
        }),
      );
      void this.#nameFormerMembers(chatId);
    } catch (error) {
      const current = this.state.histories[chatId];
      if (current) {
        this.change((state) => setHistory(state, chatId, { ...current, loadingOlder: false }));
      }
      if (!isConnectionError(error)) console.warn('messages.history failed', error);
    }
  }

  /** Called by the chat room: loads what it shows and marks it read. */
  openChat(chatId: string | null): void {
    if (this.state.openChatId === chatId) return;
    this.set({ openChatId: chatId });
    if (!chatId) return;
    if (!this.state.chats[chatId]) void this.fetchChat(chatId).catch(() => {});
    void this.loadNewest(chatId);
    void this.loadMembers(chatId);
    this.maybeMarkRead(chatId);
  }

  /** Marks the open chat read up to its newest message, when the page is visible. */
  markOpenChatRead(): void {
    const open = this.state.openChatId;
    if (open) this.maybeMarkRead(open);
  }

  protected maybeMarkRead(chatId: string): void {
    if (chatId !== this.state.openChatId) return;
    if (typeof document !== 'undefined' && document.visibilityState !== 'visible') return;
    const chat = this.state.chats[chatId];
    const client = this.clientOrNone;
    if (!chat || !client || chat.lastSeq <= chat.readSeq) return;
    const seq = chat.lastSeq;
    if ((this.#markingRead.get(chatId) ?? 0) >= seq) return;
    this.#markingRead.set(chatId, seq);
    // The badge goes at once; the pointer moves when the server's chat.read update arrives, so a
    // call lost to a dropped connection is made again on the next sync.
    this.change((state) => updateChat(state, chatId, (c) => ({ ...c, unreadCount: 0 })));
    client.call('messages.markRead', { chatId, seq }).catch((error: unknown) => {
      this.#markingRead.delete(chatId);
      if (!isConnectionError(error)) console.warn('messages.markRead failed', error);
    });
  }

  /**
   * Shows a message from an update or an ack; fetches what it shows is missing (its chat, the
   * messages before it) and marks the open chat read.
   */
  protected receiveMessage(message: Message): void {
    const before = this.state;
    this.change((state) => insertMessage(state, message));
    const chatId = message.chatId;
    if (!before.chats[chatId]) void this.fetchChat(chatId).catch(() => {});
    // Missed some: the open chat refetches; a closed one reloads when opened.
    if (chatId === before.openChatId && missedBefore(before, message)) {
      void this.loadNewest(chatId);
    }
    this.maybeMarkRead(chatId);
  }
}
