import type { TokkiClient } from '../client.js';
import type { Listener } from '../emitter.js';
import type { SecretEvents } from './events.js';
import type { SecretClock } from './clock.js';
import { SecretError } from './errors.js';
import { decodeState, type DeviceState } from './state.js';
import type { SecretStateStore } from './store.js';

/** Options for {@link SecretClient.open}. */
export interface SecretClientOptions {
  /** A signed-in client of this device. */
  client: TokkiClient;
  /** This device's user and device (from sign-in). */
  userId: string;
  deviceId: string;
  /** Where the state is kept: an encrypted store from `@tokki/e2e` (or memory, in tests). */
  store: SecretStateStore;
  /** The clock self-destruct and key updates run on. Default: the real one. */
  clock?: SecretClock;
  /** One-time key packages to keep on the server. Default 50. */
  keyPackageTarget?: number;
  /** How often this device refreshes its keys in each chat (post-compromise security). Default a week. */
  keyUpdateIntervalMs?: number;
  /**
   * When several processes share the store (the CLI's `listen` beside its other commands): runs
   * each operation holding a lock across them, and the state is read again from the store at its
   * start, so no process writes back a group state another one has moved on.
   */
  exclusive?: Exclusive;
  /**
   * Listeners in place before `open` catches up: what happens during it (a key change met in a
   * missed Welcome, messages) is told to them too, not only to those added with `on` after.
   */
  listeners?: { [K in keyof SecretEvents]?: Listener<SecretEvents[K]> };
}

/** Runs `task` while holding a lock that other users of the same state store respect. */
export type Exclusive = <T>(task: () => Promise<T>) => Promise<T>;

export const runDirectly: Exclusive = (task) => task();

/** The stored state of this device, undefined when there is none; refuses another's or a damaged one. */
export async function readState(options: SecretClientOptions): Promise<DeviceState | undefined> {
  const bytes = await options.store.load();
  if (!bytes) return undefined;
  const state = decodeState(bytes);
  if (!state)
    throw new SecretError('STATE_MISMATCH', 'The stored secret-chat state cannot be read');
  if (state.userId !== options.userId || state.deviceId !== options.deviceId) {
    throw new SecretError(
      'STATE_MISMATCH',
      'The stored secret-chat state belongs to another account or device',
    );
  }
  return state;
}
