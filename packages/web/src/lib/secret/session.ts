import type { TokkiClient } from '@tokki/sdk';
import {
  SecretClient,
  SecretError,
  type SecretMessage,
  type SecretStateStore,
} from '@tokki/sdk/secret';
import { indexedDbStateStore, isE2eError } from '@tokki/e2e';

/** A contact's keys changed: a line in each secret chat they are in, after its last message. */
export interface KeyWarning {
  userId: string;
  afterSeq: number;
  wasVerified: boolean;
}

/**
 * This device's secret chats in the browser: the SDK's `SecretClient` over the tab's
 * `TokkiClient`, its state sealed in IndexedDB. Loaded with `import()` on first use (it brings
 * MLS), so the app's first load stays small. Screens read it through `subscribe`/`version`.
 */
export class SecretSession {
  readonly #listeners = new Set<() => void>();
  readonly #warnings: Map<string, KeyWarning[]>;
  readonly #off: (() => void)[];
  #version = 0;

  constructor(
    readonly client: SecretClient,
    private readonly release: () => void = () => {},
    /** Where key-change lines are kept, sealed like the rest (none: memory only). */
    private readonly warningStore?: SecretStateStore,
    warnings: Record<string, KeyWarning[]> = {},
  ) {
    this.#warnings = new Map(Object.entries(warnings));
    const bump = () => this.#changed();
    this.#off = [
      client.on('message', bump),
      client.on('timer', bump),
      client.on('deleted', bump),
      client.on('members', bump),
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

  warnings(chatId: string): KeyWarning[] {
    return this.#warnings.get(chatId) ?? [];
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
      const afterSeq = this.client.history(chat.chatId).at(-1)?.seq ?? 0;
      const list = this.#warnings.get(chat.chatId) ?? [];
      this.#warnings.set(chat.chatId, [...list, { userId, afterSeq, wasVerified }]);
    }
    const bytes = new TextEncoder().encode(JSON.stringify(Object.fromEntries(this.#warnings)));
    void this.warningStore?.save(bytes).catch(() => {});
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
/** The key-change lines shown in the chats, kept beside the state and sealed the same way. */
const warningStore = () => indexedDbStateStore({ name: 'key-changes' });

async function loadWarnings(store: SecretStateStore): Promise<Record<string, KeyWarning[]>> {
  try {
    const bytes = await store.load();
    if (!bytes) return {};
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value && typeof value === 'object' ? (value as Record<string, KeyWarning[]>) : {};
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
  // Key changes met while the client opens (in updates it missed) come before the session does.
  let session: SecretSession | undefined;
  const early: { userId: string; wasVerified: boolean }[] = [];
  const listeners = {
    keyChange: (change: { userId: string; wasVerified: boolean }) => {
      if (session) session.keyChanged(change.userId, change.wasVerified);
      else early.push(change);
    },
  };
  const open = () => SecretClient.open({ client, userId, deviceId, store, listeners });
  try {
    let secret: SecretClient;
    try {
      secret = await open();
    } catch (error) {
      if (!unusable(error)) throw error;
      await Promise.all([store.clear(), warningStore().clear()]);
      secret = await open();
    }
    const warnings = warningStore();
    session = new SecretSession(secret, release, warnings, await loadWarnings(warnings));
    for (const change of early) session.keyChanged(change.userId, change.wasVerified);
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
  await Promise.all([stateStore().clear(), warningStore().clear()]);
}
