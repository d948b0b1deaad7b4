import type { LastSeenPrivacy, Update } from '@tokki/protocol';
import { isConnectionError, TokkiClient, type MethodResult } from '@tokki/sdk';
import { clearAll, loadSnapshot, saveEntries } from '../persist';
import { applyUpdate, isFriendsUpdate } from './apply-update';
import { putPresence, startTyping, stopTyping } from './ephemeral';
import { MessagingStore } from './messaging';
import { initialState, type History, type State } from './types';

/** How long a `typing` event counts; clients repeat it while typing (Telegram: 5–6 s). */
const TYPING_SHOWN_MS = 6000;
/** How often this client repeats `chats.setTyping` while the user types. */
const TYPING_SENT_EVERY_MS = 4000;

/**
 * The store's session: boot from the cache, sign-in and sign-out, the realtime connection and
 * what arrives on it (updates, typing, presence).
 */
export class SessionStore extends MessagingStore {
  #unsubscribe: (() => void)[] = [];
  #refreshedAfterBoot = false;
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #typingSentAt = new Map<string, number>();
  /** Whose presence this tab watches; watched again after every reconnect. */
  #watchedPresence: string[] = [];

  /** Restores the cached session (if any) and connects. */
  async boot(): Promise<void> {
    window.addEventListener('online', () => this.set({ online: true }));
    window.addEventListener('offline', () => this.set({ online: false }));
    const snapshot = await loadSnapshot();
    const session = snapshot.session;
    if (!session?.token) {
      this.set({ phase: 'signedOut' });
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
    this.pts = session.pts;
    this.set({
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
    this.markSaved();
    this.#startClient(session.token, session.pts);
    for (const pending of this.state.pending) {
      if (pending.status === 'sending') this.deliver(pending);
    }
  }

  async loadServerInfo(): Promise<void> {
    const client = this.clientOrNone ?? new TokkiClient({ server: location.origin });
    try {
      const info = await client.call('server.getInfo', {});
      this.set({ serverInfo: info });
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
    this.pts = undefined;
    this.#refreshedAfterBoot = false;
    this.set({
      ...initialState,
      online: this.state.online,
      serverInfo: this.state.serverInfo,
      phase: 'signedIn',
      me: result.me,
      deviceId: result.deviceId,
    });
    this.markSaved();
    await saveEntries([['session', this.session(result.token)]]);
    this.#startClient(result.token, undefined);
  }

  async signOut(): Promise<void> {
    const client = this.clientOrNone;
    try {
      await client?.signOut();
    } finally {
      await this.#signedOut();
    }
  }

  async #signedOut(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.clientOrNone?.disconnect();
    this.clientOrNone = undefined;
    this.abortSends();
    this.#watchedPresence = [];
    this.askedFormer.clear();
    this.markSaved();
    await clearAll();
    this.set({ ...initialState, online: this.state.online, phase: 'signedOut' });
    this.markSaved();
    void this.loadServerInfo();
  }

  #startClient(token: string, pts: number | undefined): void {
    const client = new TokkiClient({
      server: location.origin,
      token,
      pts,
      onPts: (value) => {
        this.pts = value;
        this.scheduleSave();
      },
    });
    this.clientOrNone = client;
    this.#unsubscribe = [
      client.on('update', ({ update }) => this.#apply(update)),
      client.on('event', (event) => {
        if (event.kind === 'typing') this.#onTyping(event.chatId, event.userId);
        else if (event.kind === 'presence') {
          const { presence } = event;
          this.change((state) => putPresence(state, presence));
        }
      }),
      client.on('reload', () => void this.#reload()),
      client.on('state', (connection) => {
        this.set({ connection });
        if (connection === 'revoked' || connection === 'unauthenticated') void this.#signedOut();
      }),
      client.on('synced', () => {
        this.set({ everSynced: true });
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

  async #reload(): Promise<void> {
    this.#refreshedAfterBoot = true;
    // The server could not resume: cached histories may have gaps. Keep what is on screen until
    // the fresh page replaces it; drop the rest.
    const open = this.state.openChatId;
    const histories: Record<string, History> = {};
    const openHistory = open ? this.state.histories[open] : undefined;
    if (open && openHistory) histories[open] = openHistory;
    this.set({ histories });
    await Promise.all([this.refreshChats(), this.refreshFriends()]);
    if (open) await Promise.all([this.loadNewest(open), this.loadMembers(open)]);
  }

  /** Applies an update from the server, then fetches what it says is missing. */
  #apply(update: Update): void {
    if (isFriendsUpdate(update)) this.friendUpdatesDuringLoad?.push(update);
    if (update.kind === 'message.new') {
      this.receiveMessage(update.message);
      return;
    }
    const hadMembers = update.kind === 'chat.joined' && !!this.state.members[update.chatId];
    this.change((state) => applyUpdate(state, update));
    if (update.kind === 'secret.message') this.maybeMarkRead(update.chatId);
    if (update.kind === 'chat.joined') {
      void this.fetchChat(update.chatId).catch(() => {});
      if (hadMembers) void this.loadMembers(update.chatId);
    } else if (update.kind === 'profile.updated' && update.user.id === this.state.me?.id) {
      void this.#refreshMe();
    }
  }

  /** Own profile changes carry only the public part: the Tokki ID may have changed too. */
  async #refreshMe(): Promise<void> {
    const client = this.clientOrNone;
    try {
      const me = await client?.call('profile.get', {});
      if (me && client === this.clientOrNone) this.set({ me });
      this.scheduleSave();
    } catch (error) {
      if (!isConnectionError(error)) console.warn('profile.get failed', error);
    }
  }

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
    const client = this.clientOrNone;
    const userIds = this.#watchedPresence;
    // Over HTTP while offline: it answers, but only a watch over the WebSocket brings events;
    // every 'synced' sends it again.
    if (!client) return;
    try {
      const { presences } = await client.call('presence.watch', { userIds });
      if (client !== this.clientOrNone || userIds !== this.#watchedPresence) return;
      const presence = { ...this.state.presence };
      for (const one of presences) presence[one.userId] = one;
      this.set({ presence });
    } catch (error) {
      if (!isConnectionError(error)) console.warn('presence.watch failed', error);
    }
  }

  /** Who may see when the user is online. */
  async lastSeenPrivacy(): Promise<LastSeenPrivacy> {
    const { lastSeen } = await this.callClient().call('privacy.get', {});
    return lastSeen;
  }

  async setLastSeenPrivacy(lastSeen: LastSeenPrivacy): Promise<void> {
    await this.callClient().call('privacy.update', { lastSeen });
  }

  /** Tells the chat that the user is typing, at most every few seconds, and only when online. */
  typing(chatId: string): void {
    const client = this.clientOrNone;
    if (!client || this.state.connection !== 'synced') return;
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
      setTimeout(() => {
        this.#typingTimers.delete(key);
        this.change((state) => stopTyping(state, chatId, userId));
      }, TYPING_SHOWN_MS),
    );
    this.change((state) => startTyping(state, chatId, userId));
  }
}
