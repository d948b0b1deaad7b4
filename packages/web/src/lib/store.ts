import type {
  Chat,
  Friend,
  LastSeenPrivacy,
  Me,
  Member,
  Message,
  OpenChatSettings,
  Presence,
  Reaction,
  Recommendation,
  Update,
  User,
} from '@tokki/protocol';
import { LIMITS } from '@tokki/protocol';
import {
  isConnectionError,
  newClientMsgId,
  TokkiClient,
  TokkiError,
  type ConnectionState,
  type MethodResult,
} from '@tokki/sdk';
import { useSyncExternalStore } from 'react';
import {
  CACHED_MESSAGES_PER_CHAT,
  clearAll,
  loadSnapshot,
  saveEntries,
  type PendingMessage,
  type Session,
} from './persist';
import { selfIdIn } from './chat';
import { asTombstone, reactionOf, withReaction } from './reactions';

/** The messages of one chat that are loaded: a gapless run of seqs, oldest first. */
export interface History {
  messages: Message[];
  /**
   * Where older messages continue: a cursor, `null` when the start is reached, `undefined` when
   * not known yet (a history from the cache: the next load fetches the newest page first).
   */
  olderCursor: string | null | undefined;
  loadingOlder: boolean;
}

export type Phase = 'booting' | 'signedOut' | 'signedIn';

/**
 * A line between messages about the group itself ("X left", "X removed Y", "X joined"), from the
 * updates this device received: the server keeps no such messages in history.
 */
export interface SystemLine {
  key: string;
  kind: 'left' | 'removed' | 'joined';
  userIds: string[];
  byUserId?: string;
  /** Names as they were known when it happened (a member who left is no longer listed). */
  names: Record<string, string>;
  /** Shown after the message with this seq. */
  afterSeq: number;
  at: number;
}

/** A chat this user is no longer in, seen in this tab: its room says so instead of "not found". */
export interface LeftChat {
  title: string;
  /** Who removed the user; absent when they left themselves (on another device). */
  byUserId?: string;
  byName?: string;
}

export interface ServerInfo {
  name: string;
  version: string;
  mode: 'local' | 'production';
  testNumbers: boolean;
}

export interface State {
  phase: Phase;
  me: Me | null;
  deviceId: string | null;
  connection: ConnectionState;
  /** True once the realtime connection has been synced at least once in this tab. */
  everSynced: boolean;
  online: boolean;
  chats: Record<string, Chat>;
  /** False on a new device until the first chats.list: an empty list is not "no chats" yet. */
  chatsLoaded: boolean;
  histories: Record<string, History>;
  /** chatId → userId → member, with read pointers (for the unread counters). */
  members: Record<string, Record<string, Member>>;
  /**
   * chatId → id → someone who sent a loaded message and is no longer a member: named, never
   * counted (`chats.members {userIds}`).
   */
  formerMembers: Record<string, Record<string, Member>>;
  pending: PendingMessage[];
  serverInfo: ServerInfo | null;
  /** The chat on screen, which is marked read as messages arrive. */
  openChatId: string | null;
  /** chatId → ids of the members typing there now (ephemeral, from `typing` events). */
  typing: Record<string, string[]>;
  /** userId → friend, hidden ones included. */
  friends: Record<string, Friend>;
  /** False until the first friends.list on this device: an empty list is not "no friends" yet. */
  friendsLoaded: boolean;
  /** userId → someone who has the user's number but is not their friend. */
  recommendations: Record<string, Recommendation>;
  /** userId → a user this user blocked (not cached: loaded after each start). */
  blocked: Record<string, User>;
  /** chatId → group events seen in this tab, oldest first. */
  systemLines: Record<string, SystemLine[]>;
  /** chatId → a chat left or removed from in this tab. */
  leftChats: Record<string, LeftChat>;
  /** chatId → its pinned message when it is not in the loaded history (fetched by seq). */
  pinnedMessages: Record<string, Message>;
  /** userId → whether they are online, for the users watched now (`presence.watch`). */
  presence: Record<string, Presence>;
  /**
   * chatId → the invite token made in this tab: the server shows a token once, so it is kept
   * (in memory only) to show again in the room's info.
   */
  inviteTokens: Record<string, string>;
}

const initialState: State = {
  phase: 'booting',
  me: null,
  deviceId: null,
  connection: 'offline',
  everSynced: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  chats: {},
  chatsLoaded: false,
  histories: {},
  members: {},
  formerMembers: {},
  pending: [],
  serverInfo: null,
  openChatId: null,
  typing: {},
  friends: {},
  friendsLoaded: false,
  recommendations: {},
  blocked: {},
  systemLines: {},
  leftChats: {},
  pinnedMessages: {},
  presence: {},
  inviteTokens: {},
};

/** How long a `typing` event counts; clients repeat it while typing (Telegram: 5–6 s). */
const TYPING_SHOWN_MS = 6000;
/** How often this client repeats `chats.setTyping` while the user types. */
const TYPING_SENT_EVERY_MS = 4000;

const HISTORY_PAGE = 60;
const OLDER_PAGE = 100;

/**
 * The app's state and everything that changes it: one TokkiClient per tab, updates applied as
 * they arrive, a cache in IndexedDB, and the queue of messages waiting to be sent.
 */
export class AppStore {
  #state: State = initialState;
  readonly #listeners = new Set<() => void>();
  #client: TokkiClient | undefined;
  #unsubscribe: (() => void)[] = [];
  #pts: number | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #dirtyHistories = new Set<string>();
  readonly #dirtyMembers = new Set<string>();
  readonly #deletedKeys = new Set<string>();
  #chatsDirty = false;
  #friendsDirty = false;
  /** Friend updates applied while the lists load, applied again on top of what loads. */
  #friendUpdatesDuringLoad: Update[] | undefined;
  /** Sends are chained per chat so that messages arrive in the order they were written. */
  readonly #sendChains = new Map<string, Promise<void>>();
  /** Sends under way (the SDK retries them until acknowledged); aborted on sign-out. */
  readonly #sending = new Map<string, AbortController>();
  #refreshedAfterBoot = false;
  #markingRead = new Map<string, number>();
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #typingSentAt = new Map<string, number>();
  /**
   * chatId → seqs deleted for this user in this tab: history pages skip them, so a run of seqs
   * that steps over them is still gapless.
   */
  readonly #hiddenSeqs = new Map<string, Set<number>>();
  /** Whose presence this tab watches; watched again after every reconnect. */
  #watchedPresence: string[] = [];
  /** chatId → ids asked for as former members (found or not): not asked again. */
  readonly #askedFormer = new Map<string, Set<string>>();

  get state(): State {
    return this.#state;
  }

  get client(): TokkiClient | undefined {
    return this.#client;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #set(patch: Partial<State>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of [...this.#listeners]) listener();
  }

  // ---- Boot, sign-in, sign-out ------------------------------------------------------------

  /** Restores the cached session (if any) and connects. */
  async boot(): Promise<void> {
    window.addEventListener('online', () => this.#set({ online: true }));
    window.addEventListener('offline', () => this.#set({ online: false }));
    const snapshot = await loadSnapshot();
    const session = snapshot.session;
    if (!session?.token) {
      this.#set({ phase: 'signedOut' });
      void this.loadServerInfo();
      return;
    }
    const histories: Record<string, History> = {};
    for (const cached of snapshot.histories) {
      histories[cached.chatId] = {
        messages: cached.messages,
        olderCursor: undefined,
        loadingOlder: false,
      };
    }
    const members: State['members'] = {};
    for (const [chatId, list] of Object.entries(snapshot.members)) {
      members[chatId] = Object.fromEntries(list.map((m) => [m.user.id, m]));
    }
    this.#pts = session.pts;
    this.#set({
      phase: 'signedIn',
      me: session.me,
      deviceId: session.deviceId,
      chats: Object.fromEntries(snapshot.chats.map((c) => [c.id, c])),
      chatsLoaded: true,
      histories,
      members,
      pending: snapshot.pending.map((p) =>
        p.status === 'failed' ? p : { ...p, status: 'sending' },
      ),
      friends: Object.fromEntries((snapshot.friends ?? []).map((f) => [f.user.id, f])),
      friendsLoaded: snapshot.friends !== undefined,
      recommendations: Object.fromEntries(snapshot.recommendations.map((r) => [r.user.id, r])),
    });
    this.#startClient(session.token, session.pts);
    for (const pending of this.#state.pending) {
      if (pending.status === 'sending') this.#deliver(pending);
    }
  }

  async loadServerInfo(): Promise<void> {
    const client = this.#client ?? new TokkiClient({ server: location.origin });
    try {
      const info = await client.call('server.getInfo', {});
      this.#set({ serverInfo: info });
    } catch (error) {
      console.warn('server.getInfo failed', error);
    }
  }

  /** A client for the sign-in screens: no token yet. */
  signInClient(): TokkiClient {
    return new TokkiClient({ server: location.origin });
  }

  /** After `auth.signIn`: remember the device and go online. */
  async completeSignIn(result: MethodResult<'auth.signIn'>): Promise<void> {
    await clearAll();
    this.#pts = undefined;
    this.#refreshedAfterBoot = false;
    this.#set({
      ...initialState,
      online: this.#state.online,
      serverInfo: this.#state.serverInfo,
      phase: 'signedIn',
      me: result.me,
      deviceId: result.deviceId,
    });
    await saveEntries([['session', this.#session(result.token)]]);
    this.#startClient(result.token, undefined);
  }

  async signOut(): Promise<void> {
    const client = this.#client;
    try {
      await client?.signOut();
    } finally {
      await this.#signedOut();
    }
  }

  async #signedOut(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#client?.disconnect();
    this.#client = undefined;
    for (const controller of this.#sending.values()) controller.abort(new Error('signed out'));
    this.#sending.clear();
    this.#sendChains.clear();
    this.#watchedPresence = [];
    this.#askedFormer.clear();
    clearTimeout(this.#saveTimer);
    await clearAll();
    this.#set({ ...initialState, online: this.#state.online, phase: 'signedOut' });
    void this.loadServerInfo();
  }

  #session(token: string): Session {
    return { token, deviceId: this.#state.deviceId!, me: this.#state.me!, pts: this.#pts };
  }

  #startClient(token: string, pts: number | undefined): void {
    const client = new TokkiClient({
      server: location.origin,
      token,
      pts,
      onPts: (value) => {
        this.#pts = value;
        this.#scheduleSave();
      },
    });
    this.#client = client;
    this.#unsubscribe = [
      client.on('update', ({ update }) => this.#apply(update)),
      client.on('event', (event) => {
        if (event.kind === 'typing') this.#onTyping(event.chatId, event.userId);
        else if (event.kind === 'presence') this.#putPresence(event.presence);
      }),
      client.on('reload', () => void this.#reload()),
      client.on('state', (connection) => {
        this.#set({ connection });
        if (connection === 'revoked' || connection === 'unauthenticated') void this.#signedOut();
      }),
      client.on('synced', () => {
        this.#set({ everSynced: true });
        this.markOpenChatRead();
        // A new connection watches nobody: watch again (and learn what changed meanwhile).
        if (this.#watchedPresence.length > 0) void this.#sendPresenceWatch();
        if (!this.#refreshedAfterBoot) {
          this.#refreshedAfterBoot = true;
          void this.refreshChats();
          void this.refreshFriends();
        }
      }),
    ];
    void client.connect().catch(() => {
      // Reported through the 'state' event.
    });
  }

  // ---- Loading --------------------------------------------------------------------------

  /** Reloads the chat list (every page). */
  async refreshChats(): Promise<void> {
    const client = this.#client;
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
    if (client !== this.#client) return;
    // Keep an open chat's unread count at zero: it is being read.
    const open = this.#state.openChatId;
    const removed = Object.keys(this.#state.chats).filter((id) => !chats[id]);
    for (const id of removed) this.#forgetChat(id);
    this.#chatsDirty = true;
    this.#set({ chats, chatsLoaded: true });
    if (open && chats[open]) this.#maybeMarkRead(open);
    this.#scheduleSave();
  }

  /** Reloads friends, recommendations and blocked users. */
  async refreshFriends(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    const during: Update[] = [];
    this.#friendUpdatesDuringLoad = during;
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
      if (this.#friendUpdatesDuringLoad === during) this.#friendUpdatesDuringLoad = undefined;
    }
    if (client !== this.#client) return;
    const [{ friends }, { recommendations }, { users }] = results;
    this.#friendsDirty = true;
    this.#set({
      friends: Object.fromEntries(friends.map((f) => [f.user.id, f])),
      friendsLoaded: true,
      recommendations: Object.fromEntries(recommendations.map((r) => [r.user.id, r])),
      blocked: Object.fromEntries(users.map((u) => [u.id, u])),
    });
    // The lists may have been read before these were applied: apply them again on top.
    for (const update of during) this.#apply(update);
    this.#scheduleSave();
  }

  async #reload(): Promise<void> {
    this.#refreshedAfterBoot = true;
    // The server could not resume: cached histories may have gaps. Keep what is on screen until
    // the fresh page replaces it; drop the rest.
    const open = this.#state.openChatId;
    const histories: Record<string, History> = {};
    for (const [chatId, history] of Object.entries(this.#state.histories)) {
      if (chatId === open) histories[chatId] = history;
      else this.#deletedKeys.add(`history:${chatId}`);
    }
    this.#set({ histories });
    await Promise.all([this.refreshChats(), this.refreshFriends()]);
    if (open) await Promise.all([this.loadNewest(open), this.loadMembers(open)]);
  }

  /** Fetches a chat the list does not have yet (a new chat, a deep link). */
  async fetchChat(chatId: string): Promise<Chat | undefined> {
    const client = this.#client;
    if (!client) return undefined;
    try {
      const chat = await client.call('chats.get', { chatId });
      if (client !== this.#client) return undefined;
      this.#putChat(chat);
      return chat;
    } catch (error) {
      if (
        error instanceof TokkiError &&
        (error.code === 'NOT_MEMBER' || error.code === 'NOT_FOUND')
      ) {
        this.#forgetChat(chatId);
        this.#set({});
      }
      throw error;
    }
  }

  #putChat(chat: Chat): void {
    const existing = this.#state.chats[chat.id];
    // A fetched chat may be older than updates already applied: keep the newer counters.
    const merged =
      existing && existing.lastSeq > chat.lastSeq
        ? { ...chat, lastSeq: existing.lastSeq, lastMessage: existing.lastMessage }
        : chat;
    this.#chatsDirty = true;
    this.#set({ chats: { ...this.#state.chats, [chat.id]: merged } });
    this.#scheduleSave();
  }

  /** Every member of a chat with their read pointers. */
  async loadMembers(chatId: string): Promise<void> {
    const client = this.#client;
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
    if (client !== this.#client) return;
    // Pointers only move forward: keep any update that arrived while the pages loaded.
    const current = this.#state.members[chatId] ?? {};
    for (const [userId, member] of Object.entries(members)) {
      const seen = current[userId];
      if (seen && seen.readSeq > member.readSeq)
        members[userId] = { ...member, readSeq: seen.readSeq };
    }
    this.#dirtyMembers.add(chatId);
    this.#set({ members: { ...this.#state.members, [chatId]: members } });
    this.#scheduleSave();
    void this.#nameFormerMembers(chatId);
  }

  /**
   * Names the senders of loaded messages who are no longer members, once each: their messages
   * stay, and keep their name (in an open chat, their nickname).
   */
  async #nameFormerMembers(chatId: string): Promise<void> {
    const client = this.#client;
    const members = this.#state.members[chatId];
    const messages = this.#state.histories[chatId]?.messages;
    if (!client || !members || !messages) return;
    let asked = this.#askedFormer.get(chatId);
    if (!asked) this.#askedFormer.set(chatId, (asked = new Set()));
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
      if (client !== this.#client) return;
      const former = { ...this.#state.formerMembers[chatId], ...found };
      this.#set({ formerMembers: { ...this.#state.formerMembers, [chatId]: former } });
    } catch (error) {
      for (const id of missing) asked.delete(id);
      if (!isConnectionError(error)) console.warn('chats.members failed', error);
    }
  }

  /** The newest page of a chat's history, merged with what is loaded. */
  async loadNewest(chatId: string): Promise<void> {
    const client = this.#client;
    if (!client) return;
    let page: MethodResult<'messages.history'>;
    try {
      page = await client.call('messages.history', { chatId, limit: HISTORY_PAGE });
    } catch (error) {
      if (!isConnectionError(error)) console.warn('messages.history failed', error);
      return;
    }
    if (client !== this.#client) return;
    const fetched = [...page.messages].reverse();
    const current = this.#state.histories[chatId];
    let next: History;
    if (!current || current.messages.length === 0 || fetched.length === 0) {
      next = { messages: fetched, olderCursor: page.cursor, loadingOlder: false };
      if (current && fetched.length === 0) next = { ...current, olderCursor: null };
    } else {
      const first = fetched[0]!;
      const last = current.messages.at(-1)!;
      let following = last.seq + 1;
      while (this.#hiddenSeqs.get(chatId)?.has(following)) following++;
      if (following < first.seq) {
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
    this.#setHistory(chatId, next);
    for (const message of fetched) this.#dropPending(message);
    void this.#nameFormerMembers(chatId);
  }

  /** The page before the oldest loaded message. */
  async loadOlder(chatId: string): Promise<void> {
    const client = this.#client;
    const history = this.#state.histories[chatId];
    if (!client || !history || history.loadingOlder || history.olderCursor === null) return;
    if (history.olderCursor === undefined) {
      // A cached history has no cursor: the newest page brings one, then page back from it.
      await this.loadNewest(chatId);
      if (typeof this.#state.histories[chatId]?.olderCursor === 'string') {
        await this.loadOlder(chatId);
      }
      return;
    }
    this.#setHistory(chatId, { ...history, loadingOlder: true }, false);
    try {
      const page = await client.call('messages.history', {
        chatId,
        limit: OLDER_PAGE,
        cursor: history.olderCursor,
      });
      if (client !== this.#client) return;
      const current = this.#state.histories[chatId] ?? history;
      const older = [...page.messages].reverse();
      this.#setHistory(chatId, {
        messages: mergeMessages(older, current.messages),
        olderCursor: page.cursor,
        loadingOlder: false,
      });
      void this.#nameFormerMembers(chatId);
    } catch (error) {
      const current = this.#state.histories[chatId];
      if (current) this.#setHistory(chatId, { ...current, loadingOlder: false }, false);
      if (!isConnectionError(error)) console.warn('messages.history failed', error);
    }
  }

  #setHistory(chatId: string, history: History, persist = true): void {
    this.#set({ histories: { ...this.#state.histories, [chatId]: history } });
    if (persist) {
      this.#dirtyHistories.add(chatId);
      this.#scheduleSave();
    }
  }

  // ---- The open chat and read pointers ----------------------------------------------------

  /** Called by the chat room: loads what it shows and marks it read. */
  openChat(chatId: string | null): void {
    if (this.#state.openChatId === chatId) return;
    this.#set({ openChatId: chatId });
    if (!chatId) return;
    if (!this.#state.chats[chatId]) void this.fetchChat(chatId).catch(() => {});
    void this.loadNewest(chatId);
    void this.loadMembers(chatId);
    this.#maybeMarkRead(chatId);
  }

  /** Marks the open chat read up to its newest message, when the page is visible. */
  markOpenChatRead(): void {
    const open = this.#state.openChatId;
    if (open) this.#maybeMarkRead(open);
  }

  #maybeMarkRead(chatId: string): void {
    if (chatId !== this.#state.openChatId) return;
    if (typeof document !== 'undefined' && document.visibilityState !== 'visible') return;
    const chat = this.#state.chats[chatId];
    const client = this.#client;
    if (!chat || !client || chat.lastSeq <= chat.readSeq) return;
    const seq = chat.lastSeq;
    if ((this.#markingRead.get(chatId) ?? 0) >= seq) return;
    this.#markingRead.set(chatId, seq);
    // The badge goes at once; the pointer moves when the server's chat.read update arrives, so a
    // call lost to a dropped connection is made again on the next sync.
    this.#updateChat(chatId, (c) => ({ ...c, unreadCount: 0 }));
    client.call('messages.markRead', { chatId, seq }).catch((error: unknown) => {
      this.#markingRead.delete(chatId);
      if (!isConnectionError(error)) console.warn('messages.markRead failed', error);
    });
  }

  // ---- Sending -------------------------------------------------------------------------

  /**
   * Shows the message at once as pending and sends it, exactly once, as soon as possible;
   * `replyToSeq` makes it answer (quote) that message of the chat; `fileIds` (uploaded to it)
   * make `text` their caption.
   */
  send(chatId: string, text: string, replyToSeq?: number, fileIds?: string[]): void {
    const pending: PendingMessage = {
      clientMsgId: newClientMsgId(),
      chatId,
      text,
      ...(replyToSeq !== undefined && { replyToSeq }),
      ...(fileIds?.length && { fileIds }),
      createdAt: Date.now(),
      status: 'sending',
    };
    this.#set({ pending: [...this.#state.pending, pending] });
    // The queue is written at once: a reload right after sending must still find it.
    void this.#savePending();
    this.#deliver(pending);
  }

  resend(clientMsgId: string): void {
    const pending = this.#state.pending.find((p) => p.clientMsgId === clientMsgId);
    if (!pending) return;
    const next: PendingMessage = { ...pending, status: 'sending' };
    delete next.error;
    this.#replacePending(next);
    this.#deliver(next);
  }

  discard(clientMsgId: string): void {
    this.#set({ pending: this.#state.pending.filter((p) => p.clientMsgId !== clientMsgId) });
    void this.#savePending();
  }

  #deliver(pending: PendingMessage): void {
    const previous = this.#sendChains.get(pending.chatId) ?? Promise.resolve();
    const next = previous.then(() => this.#attempt(pending));
    this.#sendChains.set(pending.chatId, next);
  }

  async #attempt(pending: PendingMessage): Promise<void> {
    const client = this.#client;
    if (!client) return;
    if (!this.#state.pending.some((p) => p.clientMsgId === pending.clientMsgId)) return;
    const controller = new AbortController();
    this.#sending.set(pending.clientMsgId, controller);
    try {
      // Retried with the same clientMsgId until acknowledged, at once when the connection is back.
      const { message } = await client.sendMessage(pending.chatId, pending.text, {
        clientMsgId: pending.clientMsgId,
        signal: controller.signal,
        replyToSeq: pending.replyToSeq,
        fileIds: pending.fileIds,
      });
      if (client === this.#client) this.#insertMessage(message);
    } catch (error) {
      if (client !== this.#client) return;
      const code = error instanceof TokkiError ? error.code : 'INTERNAL';
      this.#replacePending({ ...pending, status: 'failed', error: code });
    } finally {
      this.#sending.delete(pending.clientMsgId);
    }
  }

  #replacePending(next: PendingMessage): void {
    this.#set({
      pending: this.#state.pending.map((p) => (p.clientMsgId === next.clientMsgId ? next : p)),
    });
    void this.#savePending();
  }

  #dropPending(message: Message): void {
    if (message.senderId !== this.selfId(message.chatId)) return;
    const pending = this.#state.pending;
    if (
      !pending.some((p) => p.clientMsgId === message.clientMsgId && p.chatId === message.chatId)
    ) {
      return;
    }
    this.#set({
      pending: pending.filter(
        (p) => !(p.clientMsgId === message.clientMsgId && p.chatId === message.chatId),
      ),
    });
    void this.#savePending();
  }

  async #savePending(): Promise<void> {
    await saveEntries([['pending', this.#state.pending]]);
  }

  // ---- Editing and deleting ------------------------------------------------------------

  /**
   * Changes the text of one's own message (within 24 hours of sending it). Throws a TokkiError:
   * `FORBIDDEN` (someone else's message, or too late), `CONFLICT` (deleted for everyone),
   * `TEXT_TOO_LONG`, `INVALID_PARAMS` (empty), `NOT_FOUND`, or a connection error.
   */
  async editMessage(chatId: string, seq: number, text: string): Promise<Message> {
    const { message } = await this.#callClient().call('messages.edit', { chatId, seq, text });
    // The message.edited update follows; show the change at once (reactions stay as applied).
    this.#changeMessage(chatId, seq, (m) =>
      !m.deletedAt ? { ...m, text: message.text, editedAt: message.editedAt } : m,
    );
    return message;
  }

  /**
   * Deletes a message for everyone (one's own, within 24 hours: a tombstone remains) or for this
   * user only (on all their devices). Throws a TokkiError: `FORBIDDEN` (someone else's message
   * or too late, for everyone), `NOT_FOUND`, or a connection error.
   */
  async deleteMessage(chatId: string, seq: number, forEveryone: boolean): Promise<void> {
    await this.#callClient().call('messages.delete', { chatId, seq, forEveryone });
    if (!forEveryone) {
      this.#hideMessage(chatId, seq);
      return;
    }
    const deletedAt = Date.now();
    this.#changeMessage(chatId, seq, (m) => (!m.deletedAt ? asTombstone(m, deletedAt) : m));
  }

  /**
   * Sets this user's reaction to a message, or takes it back with null. Shown at once; the
   * server's message.reacted update confirms it, and a refusal puts back what was there. Throws
   * a TokkiError: `CONFLICT` (deleted for everyone), `NOT_FOUND`, or a connection error.
   */
  async react(chatId: string, seq: number, reaction: Reaction | null): Promise<void> {
    const me = this.selfId(chatId);
    const client = this.#callClient();
    if (!me) return;
    const history = this.#state.histories[chatId];
    const index = history ? findSeq(history.messages, seq) : -1;
    const before = index >= 0 ? reactionOf(history!.messages[index]!, me) : null;
    this.#changeMessage(chatId, seq, (m) => (m.deletedAt ? m : withReaction(m, me, reaction)));
    try {
      await client.call('messages.react', { chatId, seq, reaction });
    } catch (error) {
      if (client !== this.#client) return;
      // Unless another device changed it meanwhile, put back what the server still has.
      this.#changeMessage(chatId, seq, (m) =>
        reactionOf(m, me) === reaction && !m.deletedAt ? withReaction(m, me, before) : m,
      );
      throw error;
    }
  }

  // ---- Forwarding, pinning, muting ------------------------------------------------------

  /**
   * Sends a copy of a message (its text and files) to up to `LIMITS.FORWARD_TARGETS_MAX` chats,
   * all or none; the same `clientMsgId` makes a retry answer the copies already made. Throws a
   * TokkiError: `NOT_MEMBER` (one of the chats is not the user's any more), `CONFLICT` (deleted
   * for everyone), `FORBIDDEN`, or a connection error.
   */
  async forward(
    chatId: string,
    seq: number,
    toChatIds: string[],
    clientMsgId: string,
  ): Promise<Message[]> {
    const client = this.#callClient();
    const { messages } = await client.call('messages.forward', {
      chatId,
      seq,
      toChatIds,
      clientMsgId,
    });
    if (client === this.#client) for (const message of messages) this.#insertMessage(message);
    return messages;
  }

  /** Pins a message at the top of the chat for every member, or unpins it (null). */
  async pin(chatId: string, seq: number | null): Promise<void> {
    await this.#callClient().call('chats.pin', { chatId, seq });
    this.#setPinned(chatId, seq);
  }

  /** The pinned message when the loaded history does not have it (an older one). */
  async loadPinned(chatId: string, seq: number): Promise<void> {
    const client = this.#client;
    if (!client || this.#state.pinnedMessages[chatId]?.seq === seq) return;
    try {
      const { messages } = await client.call('messages.get', { chatId, seqs: [seq] });
      const message = messages[0];
      if (client !== this.#client || !message) return;
      this.#set({ pinnedMessages: { ...this.#state.pinnedMessages, [chatId]: message } });
    } catch (error) {
      if (!isConnectionError(error)) console.warn('messages.get failed', error);
    }
  }

  #setPinned(chatId: string, seq: number | null): void {
    this.#updateChat(chatId, (c) => {
      if ((c.pinnedSeq ?? null) === seq) return c;
      const next = { ...c };
      if (seq === null) delete next.pinnedSeq;
      else next.pinnedSeq = seq;
      return next;
    });
  }

  /** Mutes or unmutes a chat on all of this user's devices; shown at once, put back if refused. */
  async setMuted(chatId: string, muted: boolean): Promise<void> {
    const client = this.#callClient();
    const before = Boolean(this.#state.chats[chatId]?.muted);
    this.#setMutedFlag(chatId, muted);
    try {
      await client.call('chats.mute', { chatId, muted });
    } catch (error) {
      if (client === this.#client) this.#setMutedFlag(chatId, before);
      throw error;
    }
  }

  #setMutedFlag(chatId: string, muted: boolean): void {
    this.#updateChat(chatId, (c) => {
      if (Boolean(c.muted) === muted) return c;
      const next = { ...c };
      if (muted) next.muted = true;
      else delete next.muted;
      return next;
    });
  }

  // ---- Group members and invite links --------------------------------------------------

  /** Makes a member an admin or a plain member again (the owner only; the server decides). */
  async setRole(chatId: string, userId: string, role: 'admin' | 'member'): Promise<void> {
    await this.#callClient().call('chats.setRole', { chatId, userId, role });
    this.#setMemberRole(chatId, userId, role);
  }

  /** Removes a member from a group (the owner anyone, admins plain members). */
  async removeMember(chatId: string, userId: string): Promise<void> {
    await this.#callClient().call('chats.removeMember', { chatId, userId });
  }

  /**
   * A new invite link's token for a group or an open chat; the earlier link stops working. Kept
   * in `inviteTokens` for this tab (the server shows a token once).
   */
  async createInvite(chatId: string): Promise<string> {
    const { token } = await this.#callClient().call('chats.createInvite', { chatId });
    this.#keepInviteToken(chatId, token);
    return token;
  }

  #keepInviteToken(chatId: string, token: string): void {
    this.#set({ inviteTokens: { ...this.#state.inviteTokens, [chatId]: token } });
  }

  async revokeInvite(chatId: string): Promise<void> {
    await this.#callClient().call('chats.revokeInvite', { chatId });
    const inviteTokens = { ...this.#state.inviteTokens };
    delete inviteTokens[chatId];
    this.#set({ inviteTokens });
  }

  /** Joins the group an invite link is for (a member already just gets it); its chat. */
  async joinByInvite(token: string): Promise<Chat> {
    const client = this.#callClient();
    const chat = await client.call('chats.joinByInvite', { token });
    if (client === this.#client) {
      const leftChats = { ...this.#state.leftChats };
      delete leftChats[chat.id];
      this.#set({ leftChats });
      this.#putChat(chat);
    }
    return chat;
  }

  #setMemberRole(chatId: string, userId: string, role: Member['role']): void {
    const members = this.#state.members[chatId];
    const member = members?.[userId];
    if (!members || !member || member.role === role) return;
    this.#dirtyMembers.add(chatId);
    this.#set({
      members: { ...this.#state.members, [chatId]: { ...members, [userId]: { ...member, role } } },
    });
    this.#scheduleSave();
  }

  /** How this user knows someone in a chat: their contact name, else the name they gave. */
  #knownName(chatId: string, userId: string): string | undefined {
    // In an open chat, members are room profiles known by their nickname there only.
    if (this.#state.chats[chatId]?.kind === 'open') {
      return this.#state.members[chatId]?.[userId]?.user.displayName;
    }
    const friend = this.#state.friends[userId];
    if (friend) return friend.contactName ?? friend.user.displayName;
    if (userId === this.#state.me?.id) return this.#state.me.displayName;
    const chat = this.#state.chats[chatId];
    return (
      this.#state.members[chatId]?.[userId]?.user.displayName ??
      (chat?.peer?.id === userId ? chat.peer.displayName : undefined)
    );
  }

  #addSystemLine(chatId: string, line: Omit<SystemLine, 'key' | 'names' | 'afterSeq' | 'at'>) {
    const chat = this.#state.chats[chatId];
    if (!chat || chat.kind === 'direct') return;
    const names: Record<string, string> = {};
    for (const id of [...line.userIds, ...(line.byUserId ? [line.byUserId] : [])]) {
      const name = this.#knownName(chatId, id);
      if (name) names[id] = name;
    }
    const lines = this.#state.systemLines[chatId] ?? [];
    const next: SystemLine = {
      ...line,
      key: `s${lines.length}-${Date.now()}`,
      names,
      afterSeq: chat.lastSeq,
      at: Date.now(),
    };
    this.#set({ systemLines: { ...this.#state.systemLines, [chatId]: [...lines, next] } });
  }

  // ---- Open chats ------------------------------------------------------------------------

  /**
   * Who the user is in a chat: their room profile in an open chat, else their user id. Compare
   * `senderId`, reactions and read pointers with this, never with `me.id`.
   */
  selfId(chatId: string): string | undefined {
    return selfIdIn(this.#state.chats[chatId], this.#state.me?.id);
  }

  /** Creates an open chat with the user as host; its invite token is kept for the room's info. */
  async createOpenChat(params: {
    title: string;
    nickname: string;
    description?: string;
    memberLimit?: number;
    listed?: boolean;
  }): Promise<Chat> {
    const { chat, inviteToken } = await this.#callClient().call('open.create', params);
    this.#putChat(chat);
    this.#keepInviteToken(chat.id, inviteToken);
    return chat;
  }

  /** Joins an open chat, a listed one by id or any by its link's token, under a nickname. */
  async joinOpenChat(ref: { chatId: string } | { token: string }, nickname: string): Promise<Chat> {
    const client = this.#callClient();
    const chat = await client.call('open.join', { ...ref, nickname });
    if (client === this.#client) {
      const leftChats = { ...this.#state.leftChats };
      delete leftChats[chat.id];
      this.#set({ leftChats });
      this.#putChat(chat);
    }
    return chat;
  }

  /** Changes an open chat's settings (its host and co-hosts); `chat.open` confirms it. */
  async updateOpenChat(chatId: string, change: Partial<OpenChatSettings>): Promise<void> {
    await this.#callClient().call('open.update', { chatId, ...change });
    this.#updateChat(chatId, (c) => (c.open ? { ...c, open: { ...c.open, ...change } } : c));
  }

  /** The user's nickname in an open chat; `chat.nickname` tells the other members. */
  async setNickname(chatId: string, nickname: string): Promise<void> {
    await this.#callClient().call('open.setNickname', { chatId, nickname });
    const self = this.selfId(chatId);
    if (self) this.#renameMember(chatId, self, nickname.trim());
  }

  #renameMember(chatId: string, memberId: string, displayName: string): void {
    const members = this.#state.members[chatId];
    const member = members?.[memberId];
    if (!members || !member || member.user.displayName === displayName) return;
    this.#dirtyMembers.add(chatId);
    this.#set({
      members: {
        ...this.#state.members,
        [chatId]: { ...members, [memberId]: { ...member, user: { ...member.user, displayName } } },
      },
    });
    this.#scheduleSave();
  }

  // ---- Presence --------------------------------------------------------------------------

  /**
   * Watches whether these users are online (replacing the last list; an empty list stops
   * watching). Their presence is in `state.presence`, kept current by `presence` events.
   */
  watchPresence(userIds: string[]): void {
    const same =
      userIds.length === this.#watchedPresence.length &&
      userIds.every((id, i) => id === this.#watchedPresence[i]);
    if (same) return;
    this.#watchedPresence = [...userIds];
    void this.#sendPresenceWatch();
  }

  async #sendPresenceWatch(): Promise<void> {
    const client = this.#client;
    const userIds = this.#watchedPresence;
    // Over HTTP while offline: it answers, but only a watch over the WebSocket brings events;
    // every 'synced' sends it again.
    if (!client) return;
    try {
      const { presences } = await client.call('presence.watch', { userIds });
      if (client !== this.#client || userIds !== this.#watchedPresence) return;
      const presence = { ...this.#state.presence };
      for (const one of presences) presence[one.userId] = one;
      this.#set({ presence });
    } catch (error) {
      if (!isConnectionError(error)) console.warn('presence.watch failed', error);
    }
  }

  #putPresence(presence: Presence): void {
    this.#set({ presence: { ...this.#state.presence, [presence.userId]: presence } });
  }

  /** Who may see when the user is online. */
  async lastSeenPrivacy(): Promise<LastSeenPrivacy> {
    const { lastSeen } = await this.#callClient().call('privacy.get', {});
    return lastSeen;
  }

  async setLastSeenPrivacy(lastSeen: LastSeenPrivacy): Promise<void> {
    await this.#callClient().call('privacy.update', { lastSeen });
  }

  // ---- Typing ---------------------------------------------------------------------------

  /** Tells the chat that the user is typing, at most every few seconds, and only when online. */
  typing(chatId: string): void {
    const client = this.#client;
    if (!client || this.#state.connection !== 'synced') return;
    const now = Date.now();
    if (now - (this.#typingSentAt.get(chatId) ?? 0) < TYPING_SENT_EVERY_MS) return;
    this.#typingSentAt.set(chatId, now);
    client.call('chats.setTyping', { chatId }).catch(() => {
      // Ephemeral: a lost one does not matter.
    });
  }

  #onTyping(chatId: string, userId: string): void {
    if (userId === this.selfId(chatId)) return;
    const key = `${chatId}:${userId}`;
    clearTimeout(this.#typingTimers.get(key));
    this.#typingTimers.set(
      key,
      setTimeout(() => this.#stopTyping(chatId, userId), TYPING_SHOWN_MS),
    );
    const current = this.#state.typing[chatId] ?? [];
    if (!current.includes(userId)) {
      this.#set({ typing: { ...this.#state.typing, [chatId]: [...current, userId] } });
    }
  }

  #stopTyping(chatId: string, userId: string): void {
    const key = `${chatId}:${userId}`;
    clearTimeout(this.#typingTimers.get(key));
    this.#typingTimers.delete(key);
    const current = this.#state.typing[chatId];
    if (!current?.includes(userId)) return;
    this.#set({
      typing: { ...this.#state.typing, [chatId]: current.filter((id) => id !== userId) },
    });
  }

  // ---- Updates ------------------------------------------------------------------------

  #apply(update: Update): void {
    switch (update.kind) {
      case 'message.new':
        this.#insertMessage(update.message);
        return;
      case 'message.edited':
        this.#changeMessage(update.chatId, update.seq, (m) =>
          !m.deletedAt ? { ...m, text: update.text, editedAt: update.editedAt } : m,
        );
        return;
      case 'message.deleted':
        this.#changeMessage(update.chatId, update.seq, (m) => asTombstone(m, update.deletedAt));
        return;
      case 'message.reacted':
        this.#changeMessage(update.chatId, update.seq, (m) =>
          m.deletedAt ? m : withReaction(m, update.userId, update.reaction),
        );
        return;
      case 'message.hidden':
        this.#hideMessage(update.chatId, update.seq);
        return;
      case 'chat.read':
        this.#setReadPointer(update.chatId, update.userId, update.readSeq);
        return;
      case 'chat.joined': {
        if (
          this.#state.leftChats[update.chatId] &&
          update.userIds.includes(this.selfId(update.chatId) ?? '')
        ) {
          const leftChats = { ...this.#state.leftChats };
          delete leftChats[update.chatId];
          this.#set({ leftChats });
        }
        this.#addSystemLine(update.chatId, {
          kind: 'joined',
          userIds: update.userIds,
          byUserId: update.byUserId,
        });
        void this.fetchChat(update.chatId).catch(() => {});
        if (this.#state.members[update.chatId]) void this.loadMembers(update.chatId);
        return;
      }
      case 'chat.left': {
        if (update.userId === this.selfId(update.chatId)) {
          // No longer a member: the chat leaves the list; an open room says why.
          const chat = this.#state.chats[update.chatId];
          const leftChats = { ...this.#state.leftChats };
          if (chat) {
            leftChats[update.chatId] = {
              title: chat.title,
              ...(update.byUserId && {
                byUserId: update.byUserId,
                byName: this.#knownName(update.chatId, update.byUserId),
              }),
            };
          }
          this.#forgetChat(update.chatId);
          this.#set({ leftChats });
          return;
        }
        this.#addSystemLine(update.chatId, {
          kind: update.byUserId ? 'removed' : 'left',
          userIds: [update.userId],
          ...(update.byUserId && { byUserId: update.byUserId }),
        });
        const members = this.#state.members[update.chatId];
        if (members?.[update.userId]) {
          const rest = { ...members };
          delete rest[update.userId];
          this.#dirtyMembers.add(update.chatId);
          this.#set({ members: { ...this.#state.members, [update.chatId]: rest } });
        }
        this.#updateChat(update.chatId, (c) => ({
          ...c,
          memberCount: Math.max(0, c.memberCount - 1),
        }));
        return;
      }
      case 'chat.role':
        this.#setMemberRole(update.chatId, update.userId, update.role);
        return;
      case 'chat.muted':
        this.#setMutedFlag(update.chatId, update.muted);
        return;
      case 'chat.pinned':
        this.#setPinned(update.chatId, update.seq);
        return;
      case 'chat.renamed':
        this.#updateChat(update.chatId, (c) => ({ ...c, title: update.title }));
        return;
      case 'chat.open':
        this.#updateChat(update.chatId, (c) => ({ ...c, open: update.open }));
        return;
      case 'chat.nickname':
        this.#renameMember(update.chatId, update.userId, update.nickname);
        return;
      case 'profile.updated':
        this.#friendUpdatesDuringLoad?.push(update);
        this.#applyProfile(update.user);
        if (update.user.id === this.#state.me?.id) void this.#refreshMe();
        return;
      case 'friend.added':
      case 'friend.updated':
        this.#friendUpdatesDuringLoad?.push(update);
        this.#putFriend(update.friend);
        return;
      case 'friend.removed':
        this.#friendUpdatesDuringLoad?.push(update);
        this.#removeFriend(update.userId);
        return;
      case 'recommendation.added':
        this.#friendUpdatesDuringLoad?.push(update);
        this.#changeFriends({
          recommendations: {
            ...this.#state.recommendations,
            [update.recommendation.user.id]: update.recommendation,
          },
        });
        return;
      case 'recommendation.removed':
        this.#friendUpdatesDuringLoad?.push(update);
        this.#removeRecommendation(update.userId);
        return;
      case 'block.added':
        this.#friendUpdatesDuringLoad?.push(update);
        this.#putBlocked(update.user);
        return;
      case 'block.removed': {
        this.#friendUpdatesDuringLoad?.push(update);
        this.#removeBlocked(update.userId);
        return;
      }
    }
  }

  /** Own profile changes carry only the public part: the Tokki ID may have changed too. */
  async #refreshMe(): Promise<void> {
    const client = this.#client;
    try {
      const me = await client?.call('profile.get', {});
      if (me && client === this.#client) this.#set({ me });
      this.#scheduleSave();
    } catch (error) {
      if (!isConnectionError(error)) console.warn('profile.get failed', error);
    }
  }

  // ---- Friends ------------------------------------------------------------------------

  #changeFriends(patch: Partial<State>): void {
    this.#friendsDirty = true;
    this.#set(patch);
    this.#scheduleSave();
  }

  #putFriend(friend: Friend): void {
    const id = friend.user.id;
    const recommendations = this.#state.recommendations;
    let rest = recommendations;
    if (recommendations[id]) {
      rest = { ...recommendations };
      delete rest[id];
    }
    this.#changeFriends({
      friends: { ...this.#state.friends, [id]: friend },
      recommendations: rest,
    });
  }

  #removeFriend(userId: string): void {
    if (!this.#state.friends[userId]) return;
    const friends = { ...this.#state.friends };
    delete friends[userId];
    this.#changeFriends({ friends });
  }

  #removeRecommendation(userId: string): void {
    if (!this.#state.recommendations[userId]) return;
    const recommendations = { ...this.#state.recommendations };
    delete recommendations[userId];
    this.#changeFriends({ recommendations });
  }

  #putBlocked(user: User): void {
    this.#removeFriend(user.id);
    this.#removeRecommendation(user.id);
    this.#set({ blocked: { ...this.#state.blocked, [user.id]: user } });
  }

  #removeBlocked(userId: string): void {
    if (!this.#state.blocked[userId]) return;
    const blocked = { ...this.#state.blocked };
    delete blocked[userId];
    this.#set({ blocked });
  }

  #callClient(): TokkiClient {
    const client = this.#client;
    if (!client) throw new TokkiError('UNAUTHENTICATED', 'Signed out');
    return client;
  }

  /**
   * Adds a friend by phone number or Tokki ID. `existed` says they were a friend already (the
   * server answers the same either way).
   */
  async addFriend(
    by: { phone: string } | { tokkiId: string },
  ): Promise<{ friend: Friend; existed: boolean }> {
    // The friend.added update may come before the answer: look at the list as it was.
    const before = this.#state.friends;
    const friend = await this.#callClient().call('friends.add', by);
    const existed = before[friend.user.id] !== undefined;
    this.#putFriend(friend);
    return { friend, existed };
  }

  /** Adds someone already known by id: a recommendation, a chat member. */
  async addFriendById(userId: string): Promise<Friend> {
    const friend = await this.#callClient().call('friends.addById', { userId });
    this.#putFriend(friend);
    return friend;
  }

  /** Favourite, hide or rename a friend (for this user only). */
  async updateFriend(
    userId: string,
    change: { favorite?: boolean; hidden?: boolean; contactName?: string | null },
  ): Promise<Friend> {
    const friend = await this.#callClient().call('friends.update', { userId, ...change });
    this.#putFriend(friend);
    return friend;
  }

  async dismissRecommendation(userId: string): Promise<void> {
    await this.#callClient().call('friends.dismiss', { userId });
    this.#removeRecommendation(userId);
  }

  async block(user: User): Promise<void> {
    await this.#callClient().call('friends.block', { userId: user.id });
    this.#putBlocked(user);
  }

  /** Unblocks; a former friend comes back with the server's friend.added update. */
  async unblock(userId: string): Promise<void> {
    await this.#callClient().call('friends.unblock', { userId });
    this.#removeBlocked(userId);
  }

  /** A message from an update or an ack: each (chatId, seq) once. */
  #insertMessage(message: Message): void {
    const chatId = message.chatId;
    const me = this.selfId(chatId);
    this.#dropPending(message);
    this.#stopTyping(chatId, message.senderId);
    const chat = this.#state.chats[chatId];
    if (!chat) {
      void this.fetchChat(chatId).catch(() => {});
    } else if (message.seq > chat.lastSeq || !chat.lastMessage) {
      const mine = message.senderId === me;
      this.#updateChat(chatId, (c) => {
        const readSeq = mine ? Math.max(c.readSeq, message.seq) : c.readSeq;
        // A chat whose last message was deleted for me has none: the seq never moves back.
        const lastSeq = Math.max(c.lastSeq, message.seq);
        return {
          ...c,
          lastSeq,
          lastMessage: message,
          lastActivityAt: Math.max(c.lastActivityAt, message.createdAt),
          readSeq,
          unreadCount: Math.max(0, lastSeq - readSeq),
        };
      });
    }
    // The sender has read up to their own message.
    this.#setReadPointer(chatId, message.senderId, message.seq);

    const history = this.#state.histories[chatId];
    const hidden = this.#hiddenSeqs.get(chatId);
    if (hidden?.has(message.seq)) {
      // Deleted for me already (a message.new caught up after its message.hidden).
    } else if (!history && chatId === this.#state.openChatId) {
      // The open chat's first page is still loading: keep this one, the page merges with it.
      this.#setHistory(chatId, {
        messages: [message],
        olderCursor: undefined,
        loadingOlder: false,
      });
    } else if (history) {
      const last = history.messages.at(-1);
      let next = last ? last.seq + 1 : 0;
      while (hidden?.has(next)) next++;
      if (!last || message.seq === next) {
        this.#setHistory(chatId, { ...history, messages: [...history.messages, message] });
      } else if (message.seq > next) {
        // Missed some: the open chat refetches; a closed one reloads when opened.
        if (chatId === this.#state.openChatId) void this.loadNewest(chatId);
        else {
          const rest = { ...this.#state.histories };
          delete rest[chatId];
          this.#deletedKeys.add(`history:${chatId}`);
          this.#set({ histories: rest });
        }
      } else if (!history.messages.some((m) => m.seq === message.seq)) {
        this.#setHistory(chatId, {
          ...history,
          messages: mergeMessages(history.messages, [message]),
        });
      }
    }
    this.#maybeMarkRead(chatId);
  }

  /** Applies an edit or a deletion to the cached history and to the chat list's last message. */
  #changeMessage(chatId: string, seq: number, change: (message: Message) => Message): void {
    const history = this.#state.histories[chatId];
    const index = history ? findSeq(history.messages, seq) : -1;
    if (history && index >= 0) {
      const message = history.messages[index]!;
      const changed = change(message);
      if (changed !== message) {
        const messages = [...history.messages];
        messages[index] = changed;
        this.#setHistory(chatId, { ...history, messages });
      }
    }
    this.#updateChat(chatId, (c) =>
      c.lastMessage?.seq === seq ? { ...c, lastMessage: change(c.lastMessage) } : c,
    );
    const pinned = this.#state.pinnedMessages[chatId];
    if (pinned?.seq === seq) {
      this.#set({ pinnedMessages: { ...this.#state.pinnedMessages, [chatId]: change(pinned) } });
    }
  }

  /** A message deleted for this user: it leaves the history and the chat list. */
  #hideMessage(chatId: string, seq: number): void {
    let hidden = this.#hiddenSeqs.get(chatId);
    if (!hidden) this.#hiddenSeqs.set(chatId, (hidden = new Set()));
    hidden.add(seq);
    const history = this.#state.histories[chatId];
    const index = history ? findSeq(history.messages, seq) : -1;
    let previous: Message | null = null;
    if (history && index >= 0) {
      previous = history.messages[index - 1] ?? null;
      const messages = history.messages.filter((m) => m.seq !== seq);
      this.#setHistory(chatId, { ...history, messages });
    }
    // The list shows the message before it when it is loaded (it is, in the open chat).
    this.#updateChat(chatId, (c) =>
      c.lastMessage?.seq === seq ? { ...c, lastMessage: previous } : c,
    );
  }

  #setReadPointer(chatId: string, userId: string, readSeq: number): void {
    if (userId === this.selfId(chatId)) {
      this.#updateChat(chatId, (c) =>
        readSeq > c.readSeq ? { ...c, readSeq, unreadCount: Math.max(0, c.lastSeq - readSeq) } : c,
      );
    }
    const members = this.#state.members[chatId];
    const member = members?.[userId];
    if (!members || !member || member.readSeq >= readSeq) return;
    this.#dirtyMembers.add(chatId);
    this.#set({
      members: {
        ...this.#state.members,
        [chatId]: { ...members, [userId]: { ...member, readSeq } },
      },
    });
    this.#scheduleSave();
  }

  #applyProfile(user: User): void {
    const patch: Partial<State> = {};
    if (user.id === this.#state.me?.id) patch.me = { ...this.#state.me, ...user };
    let chatsChanged = false;
    const chats = { ...this.#state.chats };
    for (const chat of Object.values(chats)) {
      if (chat.peer?.id === user.id) {
        chats[chat.id] = { ...chat, peer: user };
        chatsChanged = true;
      }
    }
    if (chatsChanged) {
      patch.chats = chats;
      this.#chatsDirty = true;
    }
    let membersChanged = false;
    const allMembers = { ...this.#state.members };
    for (const [chatId, members] of Object.entries(allMembers)) {
      const member = members[user.id];
      if (member) {
        allMembers[chatId] = { ...members, [user.id]: { ...member, user } };
        this.#dirtyMembers.add(chatId);
        membersChanged = true;
      }
    }
    if (membersChanged) patch.members = allMembers;
    const friend = this.#state.friends[user.id];
    if (friend) patch.friends = { ...this.#state.friends, [user.id]: { ...friend, user } };
    const recommendation = this.#state.recommendations[user.id];
    if (recommendation) {
      patch.recommendations = {
        ...this.#state.recommendations,
        [user.id]: { ...recommendation, user },
      };
    }
    if (friend || recommendation) this.#friendsDirty = true;
    if (this.#state.blocked[user.id]) patch.blocked = { ...this.#state.blocked, [user.id]: user };
    this.#set(patch);
    this.#scheduleSave();
  }

  #updateChat(chatId: string, change: (chat: Chat) => Chat): void {
    const chat = this.#state.chats[chatId];
    if (!chat) return;
    const next = change(chat);
    if (next === chat) return;
    this.#chatsDirty = true;
    this.#set({ chats: { ...this.#state.chats, [chatId]: next } });
    this.#scheduleSave();
  }

  /** Removes a chat the user is no longer in (without notifying). */
  #forgetChat(chatId: string): void {
    const chats = { ...this.#state.chats };
    const histories = { ...this.#state.histories };
    const members = { ...this.#state.members };
    const systemLines = { ...this.#state.systemLines };
    const pinnedMessages = { ...this.#state.pinnedMessages };
    delete chats[chatId];
    delete histories[chatId];
    delete members[chatId];
    delete systemLines[chatId];
    delete pinnedMessages[chatId];
    this.#deletedKeys.add(`history:${chatId}`);
    this.#deletedKeys.add(`members:${chatId}`);
    this.#chatsDirty = true;
    this.#state = { ...this.#state, chats, histories, members, systemLines, pinnedMessages };
    this.#scheduleSave();
  }

  /** Applies a profile change made on this device (the update confirms it later). */
  setMe(me: Me): void {
    this.#set({ me });
    this.#applyProfile(me);
  }

  // ---- Saving -------------------------------------------------------------------------

  #scheduleSave(): void {
    if (this.#saveTimer !== undefined) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void this.#save();
    }, 250);
  }

  async #save(): Promise<void> {
    const client = this.#client;
    const token = client?.token;
    if (!client || !token || this.#state.phase !== 'signedIn') return;
    const values: [string, unknown][] = [['session', this.#session(token)]];
    if (this.#chatsDirty) values.push(['chats', Object.values(this.#state.chats)]);
    this.#chatsDirty = false;
    if (this.#friendsDirty && this.#state.friendsLoaded) {
      values.push(['friends', Object.values(this.#state.friends)]);
      values.push(['recommendations', Object.values(this.#state.recommendations)]);
    }
    this.#friendsDirty = false;
    for (const chatId of this.#dirtyHistories) {
      const history = this.#state.histories[chatId];
      if (!history) continue;
      values.push([
        `history:${chatId}`,
        { chatId, messages: history.messages.slice(-CACHED_MESSAGES_PER_CHAT) },
      ]);
    }
    this.#dirtyHistories.clear();
    for (const chatId of this.#dirtyMembers) {
      const members = this.#state.members[chatId];
      if (members) values.push([`members:${chatId}`, Object.values(members)]);
    }
    this.#dirtyMembers.clear();
    const deletions = [...this.#deletedKeys];
    this.#deletedKeys.clear();
    await saveEntries(values, deletions);
  }

  /** Writes everything now (before the page goes away). */
  flush(): void {
    if (this.#saveTimer === undefined) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    void this.#save();
  }
}

/** Merges two runs of messages by seq (the second wins), oldest first. */
export function mergeMessages(a: Message[], b: Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const message of a) bySeq.set(message.seq, message);
  for (const message of b) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

/** The message with this seq in a run sorted by seq, if loaded. */
export function findMessage(messages: Message[], seq: number): Message | undefined {
  return messages[findSeq(messages, seq)];
}

/** The index of the message with this seq in a run sorted by seq, or -1. */
function findSeq(messages: Message[], seq: number): number {
  let low = 0;
  let high = messages.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = messages[mid]!.seq;
    if (at === seq) return mid;
    if (at < seq) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/** Whether a message may still be edited or deleted for everyone by its sender (by this clock). */
export function withinEditWindow(message: Message, now = Date.now()): boolean {
  return now - message.createdAt < LIMITS.MESSAGE_EDIT_WINDOW_SECONDS * 1000;
}

/**
 * KakaoTalk's unread counter for a message: how many members other than its sender have a read
 * pointer below it. `sortedReadSeqs` is every member's pointer, ascending.
 */
export function unreadCounter(
  message: { seq: number; senderId: string },
  sortedReadSeqs: number[],
  members: Record<string, Member>,
): number {
  let low = 0;
  let high = sortedReadSeqs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sortedReadSeqs[mid]! < message.seq) low = mid + 1;
    else high = mid;
  }
  const sender = members[message.senderId];
  const senderBelow = sender !== undefined && sender.readSeq < message.seq ? 1 : 0;
  return low - senderBelow;
}

export const store = new AppStore();

/** Reads part of the state; re-renders when that part changes. */
export function useAppState<T>(select: (state: State) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.state));
}
