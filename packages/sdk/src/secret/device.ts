import {
  SecretAuthentication,
  SecretGroup,
  type DeviceIdentity,
  type KeyDirectory,
  type TrustStore,
} from '@tokki/e2e';
import type { DeviceRef } from '@tokki/protocol';
import type { TokkiClient } from '../client.js';
import type { Emitter } from '../emitter.js';
import { fromBase64, sameBytes, toBase64 } from './bytes.js';
import type { SecretClock } from './clock.js';
import { SecretError } from './errors.js';
import type { SecretEvents } from './events.js';
import { encodeState, type ChatState, type DeviceState } from './state.js';
import type { SecretStateStore } from './store.js';

/** A key package claimed for a device, ready to add in a commit. */
export interface Claimed {
  userId: string;
  deviceId: string;
  keyPackage: Uint8Array;
}

/** Work an update asked for that needs a commit: done after catching up, not in the middle. */
export type Task =
  | { kind: 'add'; chatId: string; userId: string }
  | { kind: 'remove'; chatId: string; userId: string; deviceId: string };

/** How often a commit or a send is made again on a group that moved on meanwhile. */
export const COMMIT_ATTEMPTS = 20;

export const sameDevice = (a: DeviceRef, b: DeviceRef) =>
  a.userId === b.userId && a.deviceId === b.deviceId;

const trustKey = (userId: string, deviceId: string) => `${userId}/${deviceId}`;

/**
 * What the parts of a `SecretClient` share (./sync.ts applies the log, ./commits.ts makes
 * commits and sends, ./key-packages.ts keeps key packages): one device's state, its identity, the
 * server and the events. The client runs one operation on it at a time.
 */
export class SecretDevice {
  /** Commits the log asked for, made once it is caught up. */
  tasks: Task[] = [];
  /** The server said this device's key packages run low. */
  topUpWanted = false;
  /** The device directory as fetched during one operation (keys can change between them). */
  directory = new Map<string, Map<string, Uint8Array>>();
  /**
   * Each chat's group as last read from or written to its serialized form: a group is an
   * immutable value, so it is decoded again only when the stored form changed (screens ask for
   * members and epochs on every render).
   */
  readonly #groups = new Map<string, { stored: string; group: SecretGroup }>();

  constructor(
    readonly client: TokkiClient,
    readonly store: SecretStateStore,
    readonly identity: DeviceIdentity,
    readonly clock: SecretClock,
    readonly emitter: Emitter<SecretEvents>,
    public state: DeviceState,
    /** Called when a sent message joined the history: it may carry a timer to run. */
    readonly onStored: () => void,
  ) {}

  get device(): DeviceRef {
    return { userId: this.state.userId, deviceId: this.state.deviceId };
  }

  async save(): Promise<void> {
    await this.store.save(encodeState(this.state));
  }

  emitError(error: unknown, code: SecretError['code'], chatId?: string, seq?: number): void {
    const secretError =
      error instanceof SecretError
        ? error
        : new SecretError(code, describe(error), { chatId, seq, cause: error });
    this.emitter.emit('error', secretError);
  }

  chat(chatId: string): ChatState {
    const chat = this.state.chats[chatId];
    if (!chat) throw new SecretError('NO_SUCH_CHAT', 'No such secret chat here', { chatId });
    return chat;
  }

  openChat(chatId: string): ChatState & { group: string } {
    const chat = this.chat(chatId);
    if (chat.group === null) {
      throw new SecretError('CHAT_CLOSED', 'This device was removed from the chat', { chatId });
    }
    return chat as ChatState & { group: string };
  }

  group(chat: ChatState): SecretGroup {
    if (chat.group === null) {
      throw new SecretError('CHAT_CLOSED', 'This device was removed from the chat', {
        chatId: chat.chatId,
      });
    }
    const cached = this.#groups.get(chat.chatId);
    if (cached?.stored === chat.group) return cached.group;
    const group = SecretGroup.deserialize(fromBase64(chat.group), this.identity, this.auth());
    this.#groups.set(chat.chatId, { stored: chat.group, group });
    return group;
  }

  setGroup(chat: ChatState, group: SecretGroup): void {
    chat.group = toBase64(group.serialize());
    this.#groups.set(chat.chatId, { stored: chat.group, group });
  }

  /** The identity keys a user's devices publish, as fetched in this operation (fetched again for a device not seen). */
  async deviceKeys(userId: string, deviceId?: string): Promise<Map<string, Uint8Array>> {
    let devices = this.directory.get(userId);
    if (!devices || (deviceId !== undefined && !devices.has(deviceId))) {
      const { devices: listed } = await this.client.call('secret.devices', { userIds: [userId] });
      devices = new Map(listed.map((d) => [d.deviceId, fromBase64(d.signatureKey)]));
      this.directory.set(userId, devices);
    }
    return devices;
  }

  /** The authentication service: the server's device list, and trust on first use. */
  auth(): SecretAuthentication {
    const directory: KeyDirectory = {
      deviceKey: async (userId, deviceId) =>
        (await this.deviceKeys(userId, deviceId)).get(deviceId),
    };
    // Recorded in the state, saved with the group the check was for.
    const trust: TrustStore = {
      get: (userId, deviceId) => {
        const key = this.state.trust[trustKey(userId, deviceId)];
        return Promise.resolve(key === undefined ? undefined : fromBase64(key));
      },
      set: (userId, deviceId, key) => {
        this.state.trust[trustKey(userId, deviceId)] = toBase64(key);
        return Promise.resolve();
      },
    };
    return new SecretAuthentication({
      directory,
      trust,
      onKeyChange: ({ userId, deviceId, oldKey, newKey }) => {
        if (sameBytes(oldKey, newKey)) return;
        const wasVerified = this.state.verified[userId] !== undefined;
        delete this.state.verified[userId];
        this.emitter.emit('keyChange', { userId, deviceId, wasVerified });
      },
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
