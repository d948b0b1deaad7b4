import { TokkiError, type TokkiClient } from '@tokki/sdk';
import { saveEntries, type Session } from '../persist';
import { cacheChanges, touchesCache } from './cache';
import { selfId } from './chats';
import { initialState, type State } from './types';

/** How long changes gather before the cache is written. */
const SAVE_DELAY_MS = 250;

/**
 * The base of the app's store: the state and its listeners, the client, and the cache in
 * IndexedDB, written a moment after the cached parts change. The layers above it (loading,
 * messaging, session, actions) each add one concern.
 */
export class StoreCore {
  #state: State = initialState;
  readonly #listeners = new Set<() => void>();
  /** The state as last written to the cache: the next save writes what differs from it. */
  #saved: State = initialState;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  protected clientOrNone: TokkiClient | undefined;
  /** The last pts whose updates the state reflects. */
  protected pts: number | undefined;

  get state(): State {
    return this.#state;
  }

  get client(): TokkiClient | undefined {
    return this.clientOrNone;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  protected set(patch: Partial<State>): void {
    this.commit({ ...this.#state, ...patch });
  }

  /** Applies a pure change (see `applyUpdate` and its helpers) to the state. */
  protected change(change: (state: State) => State): void {
    const next = change(this.#state);
    if (next !== this.#state) this.commit(next);
  }

  protected commit(next: State): void {
    const before = this.#state;
    this.#state = next;
    if (touchesCache(before, next)) this.scheduleSave();
    // The send queue is written at once: a reload right after sending must still find it.
    if (next.pending !== before.pending && next.phase === 'signedIn') {
      void saveEntries([['pending', next.pending]]);
    }
    for (const listener of [...this.#listeners]) listener();
  }

  /** The state now matches the cache (just loaded from it, or both cleared). */
  protected markSaved(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    this.#saved = this.#state;
  }

  protected callClient(): TokkiClient {
    const client = this.clientOrNone;
    if (!client) throw new TokkiError('UNAUTHENTICATED', 'Signed out');
    return client;
  }

  /**
   * Who the user is in a chat: their room profile in an open chat, else their user id. Compare
   * `senderId`, reactions and read pointers with this, never with `me.id`.
   */
  selfId(chatId: string): string | undefined {
    return selfId(this.#state, chatId);
  }

  protected session(token: string): Session {
    return { token, deviceId: this.#state.deviceId!, me: this.#state.me!, pts: this.pts };
  }

  protected scheduleSave(): void {
    if (this.#saveTimer !== undefined) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void this.#save();
    }, SAVE_DELAY_MS);
  }

  async #save(): Promise<void> {
    const client = this.clientOrNone;
    const token = client?.token;
    if (!client || !token || this.#state.phase !== 'signedIn') return;
    const current = this.#state;
    const { values, deletions } = cacheChanges(this.#saved, current);
    this.#saved = current;
    await saveEntries([['session', this.session(token)], ...values], deletions);
  }

  /** Writes everything now (before the page goes away). */
  flush(): void {
    if (this.#saveTimer === undefined) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    void this.#save();
  }
}
