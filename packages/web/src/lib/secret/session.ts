import type { TokkiClient } from '@tokki/sdk';
import {
  SecretClient,
  SecretError,
  type SecretEvents,
  type SecretMessage,
  type SecretStateStore,
} from '@tokki/sdk/secret';
import { indexedDbStateStore, isE2eError } from '@tokki/e2e';
import { memberNotes, readNotes, type ServiceNote } from './timeline';

/**
 * This device's secret chats in the browser: the SDK's `SecretClient` over the tab's
 * `TokkiClient`, its state sealed in IndexedDB. Loaded with `import()` on first use (it brings
 * MLS), so the app's first load stays small. Screens read it through `subscribe`/`version`.
 */
export class SecretSession {
  readonly #listeners = new Set<() => void>();
  readonly #notes: Map<string, ServiceNote[]>;
  readonly #off: (() => void)[];
  #version = 0;

  constructor(
    readonly client: SecretClient,
    private readonly release: () => void = () => {},
    /** Where the noted service lines are kept, sealed like the rest (none: memory only). */
    private readonly noteStore?: SecretStateStore,
    notes: Record<string, ServiceNote[]> = {},
  ) {
    this.#notes = new Map(Object.entries(notes));
    const bump = () => this.#changed();
    this.#off = [
      client.on('message', bump),
      client.on('timer', bump),
      client.on('deleted', bump),
      client.on('members', (event) => this.membersChanged(event)),
      client.on('closed', bump),
      // Never the content: an error names the chat and what failed.
      client.on('error', (error) => console.warn('secret chat:', error.code, error.chatId ?? '')),
      client.follow(),
    ];
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Changes whenever something a screen shows may have changed. */
  get version(): number {
    return this.#version;
  }

  has(chatId: string): boolean {
    return this.client.chats().some((c) => c.chatId === chatId);
  }

  history(chatId: string): SecretMessage[] {
    return this.has(chatId) ? this.client.history(chatId) : [];
  }

  /** The newest text of a chat, for the chat list (in memory only). */
  preview(chatId: string): string | undefined {
    const last = this.history(chatId).findLast((m) => m.content.type === 'text');
    return last?.content.type === 'text' ? last.content.text : undefined;
  }

  /** The other users in the chat's group (distinct, in leaf order). */
  peerIds(chatId: string): string[] {
    const chat = this.client.chats().find((c) => c.chatId === chatId);
    if (!chat || chat.closed) return [];
    const me = this.client.device.userId;
    return [...new Set(this.client.members(chatId).map((m) => m.userId))].filter((u) => u !== me);
  }

  /**
   * A secret chat with these users: the 1:1 one with a friend when there is one already, else a
   * new one (a group when `title` is given). `untitled` tells a 1:1 chat from a titled group. Rejects with SecretError NO_DEVICES when someone has
   * no device that can join.
   */
  async startChat(
    userIds: string[],
    title?: string,
    untitled: (chatId: string) => boolean = () => true,
  ): Promise<string> {
    if (userIds.length === 1 && title === undefined) {
      const [friendId] = userIds;
      const existing = this.client
        .chats()
        .find((c) => !c.closed && untitled(c.chatId) && this.#isPair(c.chatId, friendId!));
      if (existing) return existing.chatId;
    }
    return this.client.createChat(userIds, title);
  }

  #isPair(chatId: string, userId: string): boolean {
    const peers = this.peerIds(chatId);
    return peers.length === 1 && peers[0] === userId;
  }

  /** The service lines this device noted in a chat: key changes, members and devices. */
  notes(chatId: string): ServiceNote[] {
    return this.#notes.get(chatId) ?? [];
  }

  /** Something changed that the session does not hear of by itself (a mark was set). */
  touch(): void {
    this.#changed();
  }

  async close(): Promise<void> {
    for (const off of this.#off) off();
    await this.client.close();
    this.release();
  }

  /** A contact's keys changed (told by `openSession`, also for changes met while opening). */
  keyChanged(userId: string, wasVerified: boolean): void {
    for (const chat of this.client.chats()) {
      if (chat.closed || !this.peerIds(chat.chatId).includes(userId)) continue;
      const afterSeq = this.#lastSeq(chat.chatId);
      this.#note(chat.chatId, [{ kind: 'keyChange', userId, afterSeq, wasVerified }]);
    }
    this.#save();
  }

  /**
   * A commit added or removed devices (told by the client, also for commits met while opening).
   * Not noted: this device's own arrival (the chat starts there for it, and a creation's adds
   * would be a line per member), and the chat's creating commit on the creator's device, for the
   * same reason; the header already names who is in the chat.
   */
  membersChanged(event: SecretEvents['members']): void {
    const { chatId } = event;
    const me = this.client.device;
    const arrived = event.added.some((d) => d.userId === me.userId && d.deviceId === me.deviceId);
    const chat = this.client.chats().find((c) => c.chatId === chatId);
    const created = chat?.epoch === 1 && this.#lastSeq(chatId) === 0;
    if (arrived || created || !chat || chat.closed) {
      this.#changed();
      return;
    }
    this.#note(chatId, memberNotes(event, this.client.members(chatId), this.#lastSeq(chatId)));
    this.#save();
  }

  #lastSeq(chatId: string): number {
    return this.client.history(chatId).at(-1)?.seq ?? 0;
  }

  #note(chatId: string, notes: ServiceNote[]): void {
    if (notes.length > 0) this.#notes.set(chatId, [...this.notes(chatId), ...notes]);
  }

  #save(): void {
    const bytes = new TextEncoder().encode(JSON.stringify(Object.fromEntries(this.#notes)));
    void this.noteStore?.save(bytes).catch(() => {});
    this.#changed();
  }

  #changed(): void {
    this.#version++;
    for (const listener of [...this.#listeners]) listener();
  }
}

/**
 * The state sealed in IndexedDB under a non-extractable AES-GCM key (`@tokki/e2e`): the secret
 * client's keys, groups and decrypted history exist nowhere else on this device.
 */
const stateStore = () => indexedDbStateStore({ name: 'device' });
/**
 * The service lines noted in the chats, kept beside the state and sealed the same way. The name
 * is from when it held key changes only: renaming it would lose the lines kept under it.
 */
const noteStore = () => indexedDbStateStore({ name: 'key-changes' });

async function loadNotes(store: SecretStateStore): Promise<Record<string, ServiceNote[]>> {
  try {
    const bytes = await store.load();
    if (!bytes) return {};
    return readNotes(new TextDecoder().decode(bytes));
  } catch {
    // Unreadable: the lines are a courtesy, the verification marks are in the state itself.
    await store.clear().catch(() => {});
    return {};
  }
}

/** A stored state this device cannot use: another account's, or one that cannot be read. */
const unusable = (error: unknown) =>
  (error instanceof SecretError && error.code === 'STATE_MISMATCH') ||
  (isE2eError(error) && (error.code === 'TAMPERED' || error.code === 'MALFORMED'));

/**
 * Opens this device's secret client: creates and publishes its identity the first time, so that
 * friends can add it to secret chats. A state left by an earlier sign-in is dropped.
 */
export async function openSession(
  client: TokkiClient,
  userId: string,
  deviceId: string,
): Promise<SecretSession> {
  const release = await holdTabLock();
  const store = stateStore();
  // Key changes and commits met while the client opens (in updates it missed) come before the
  // session does: they are told to it once it is there (a commit's group is then as it is now).
  let session: SecretSession | undefined;
  const early: ((session: SecretSession) => void)[] = [];
  const listeners = {
    keyChange: (change: { userId: string; wasVerified: boolean }) => {
      const tell = (s: SecretSession) => s.keyChanged(change.userId, change.wasVerified);
      if (session) tell(session);
      else early.push(tell);
    },
    members: (event: SecretEvents['members']) => {
      if (!session) early.push((s) => s.membersChanged(event));
    },
  };
  const open = () => SecretClient.open({ client, userId, deviceId, store, listeners });
  try {
    let secret: SecretClient;
    try {
      secret = await open();
    } catch (error) {
      if (!unusable(error)) throw error;
      await Promise.all([store.clear(), noteStore().clear()]);
      secret = await open();
    }
    const notes = noteStore();
    session = new SecretSession(secret, release, notes, await loadNotes(notes));
    for (const tell of early) tell(session);
    return session;
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * One tab at a time runs the secret client: two writers of one MLS state would fork it. The lock
 * is held until the session closes (or the tab goes); another tab is refused with OTHER_TAB.
 */
function holdTabLock(): Promise<() => void> {
  if (typeof navigator === 'undefined' || !navigator.locks) return Promise.resolve(() => {});
  return new Promise((resolve, reject) => {
    void navigator.locks.request('tokki-secret-client', { ifAvailable: true }, (lock) => {
      if (!lock) {
        const error = new Error('Secret chats are open in another tab');
        reject(Object.assign(error, { code: 'OTHER_TAB' }));
        return undefined;
      }
      return new Promise<void>((release) => resolve(() => release()));
    });
  });
}

/** Signed out: this device's secret keys and history are deleted. */
export async function wipeSecretState(): Promise<void> {
  await Promise.all([stateStore().clear(), noteStore().clear()]);
}
