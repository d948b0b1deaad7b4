import {
  createIdentity,
  deserializeIdentity,
  generateKeyPackages,
  keyImage,
  safetyNumber,
  SecretGroup,
  serializeIdentity,
  type DeviceIdentity,
} from '@tokki/e2e';
import { LIMITS, type DeviceRef, type SecretTimer } from '@tokki/protocol';
import { Emitter, type Listener } from '../emitter.js';
import { isConnectionError } from '../errors.js';
import { fromBase64, randomBytes, toBase64 } from './bytes.js';
import { systemClock } from './clock.js';
import {
  addClaimed,
  claim,
  commit,
  runTask,
  sendContent,
  updateKeys,
  updateStaleKeys,
} from './commits.js';
import { COMMIT_ATTEMPTS, SecretDevice } from './device.js';
import { SecretError } from './errors.js';
import type { SecretChatSummary, SecretEvents, Verification } from './events.js';
import { expireMessages, markMessagesRead, nextExpiry } from './history.js';
import { topUp } from './key-packages.js';
import { readState, runDirectly, type Exclusive, type SecretClientOptions } from './options.js';
import { encodeState, type DeviceState, type SecretMessage } from './state.js';
import { catchUp, isSecretUpdate } from './sync.js';

const DEFAULT_KEY_PACKAGES = 50;
const DEFAULT_KEY_UPDATE_MS = 7 * 86_400_000;

/**
 * One device's secret chats: its MLS identity and key packages, a group per chat, the history it
 * decrypted, trust on first use and verification marks. Updates are applied in pts order from
 * the server's log (`updates.getDifference`), so a commit is never processed out of turn; a
 * message is acknowledged to the server only once its plaintext is stored.
 *
 * Loaded on demand (`import('@tokki/sdk/secret')`): the SDK's main entry does not pull MLS in.
 *
 * @example
 * const secret = await SecretClient.open({ client, userId, deviceId, store })
 * secret.on('message', (m) => show(m))
 * secret.follow()
 * const chatId = await secret.createChat([friendId])
 * await secret.send(chatId, '비밀이야')
 */
export class SecretClient {
  readonly #device: SecretDevice;
  readonly #keyPackageTarget: number;
  readonly #keyUpdateMs: number;
  readonly #options: SecretClientOptions;
  readonly #exclusive: Exclusive;
  /** Whether other processes use the same store (an `exclusive` lock was given). */
  readonly #shared: boolean;
  #lock: Promise<unknown> = Promise.resolve();
  #syncQueued = false;
  #cancelDestruction: (() => void) | undefined;
  #cancelKeyUpdate: (() => void) | undefined;
  #unfollow: (() => void) | undefined;

  private constructor(options: SecretClientOptions, state: DeviceState, identity: DeviceIdentity) {
    const emitter = new Emitter<SecretEvents>();
    this.#device = new SecretDevice(
      options.client,
      options.store,
      identity,
      options.clock ?? systemClock,
      emitter,
      state,
      () => this.#scheduleDestruction(),
    );
    this.#keyPackageTarget = Math.min(
      options.keyPackageTarget ?? DEFAULT_KEY_PACKAGES,
      LIMITS.SECRET_KEY_PACKAGES_MAX,
    );
    this.#keyUpdateMs = options.keyUpdateIntervalMs ?? DEFAULT_KEY_UPDATE_MS;
    this.#options = options;
    this.#exclusive = options.exclusive ?? runDirectly;
    this.#shared = options.exclusive !== undefined;
    const listeners = options.listeners ?? {};
    const listen = <K extends keyof SecretEvents>(name: K) => {
      const listener = listeners[name];
      if (listener) emitter.on(name, listener);
    };
    for (const name of Object.keys(listeners) as (keyof SecretEvents)[]) listen(name);
  }

  /**
   * Loads this device's state (creating and publishing its identity the first time), uploads key
   * packages if the server is low, and applies the secret updates missed since the last run.
   *
   * @example const secret = await SecretClient.open({ client, userId, deviceId, store })
   */
  static async open(options: SecretClientOptions): Promise<SecretClient> {
    const exclusive = options.exclusive ?? runDirectly;
    const { state, identity } = await exclusive(async () => {
      const stored = await readState(options);
      if (stored) {
        return { state: stored, identity: await deserializeIdentity(fromBase64(stored.identity)) };
      }
      const created = await createIdentity(options.userId, options.deviceId);
      // From now on: what came before was for the user's other devices.
      const { pts } = await options.client.call('updates.getState', {});
      const fresh: DeviceState = {
        version: 1,
        userId: options.userId,
        deviceId: options.deviceId,
        identity: toBase64(serializeIdentity(created)),
        published: false,
        pts,
        keyPackages: {},
        trust: {},
        verified: {},
        chats: {},
      };
      await options.store.save(encodeState(fresh));
      return { state: fresh, identity: created };
    });
    const secret = new SecretClient(options, state, identity);
    await secret.#run(async () => {
      if (!secret.#device.state.published) {
        await secret.#device.client.call('secret.publishIdentity', {
          signatureKey: toBase64(identity.signaturePublicKey),
        });
        secret.#device.state.published = true;
        await secret.#device.save();
      }
      secret.#device.topUpWanted = true;
      await secret.#sweep();
      await secret.#syncLocked();
    });
    return secret;
  }

  /** This device. */
  get device(): DeviceRef {
    return this.#device.device;
  }

  /**
   * Listens to an event; returns a function that stops listening.
   *
   * @example secret.on('keyChange', ({ userId }) => warn(userId))
   */
  on<K extends keyof SecretEvents>(name: K, listener: Listener<SecretEvents[K]>): () => void {
    return this.#device.emitter.on(name, listener);
  }

  /**
   * Applies secret updates as the client's realtime connection delivers them (the client must be
   * connected). Returns a function that stops following.
   *
   * @example secret.follow(); await client.connect()
   */
  follow(): () => void {
    this.#unfollow?.();
    const offUpdate = this.#device.client.on('update', ({ update }) => {
      // Joining a chat, too: the commit with our Welcome is in the log right behind it.
      if (isSecretUpdate(update) || update.kind === 'chat.joined') this.#scheduleSync();
    });
    const offSynced = this.#device.client.on('synced', () => this.#scheduleSync());
    this.#unfollow = () => {
      offUpdate();
      offSynced();
      this.#cancelKeyUpdate?.();
      this.#cancelKeyUpdate = undefined;
      this.#unfollow = undefined;
    };
    this.#scheduleKeyUpdate();
    return this.#unfollow;
  }

  /**
   * Stops following updates and self-destruct timers, after the work in progress.
   *
   * @example await secret.close()
   */
  async close(): Promise<void> {
    this.#unfollow?.();
    this.#cancelDestruction?.();
    this.#cancelDestruction = undefined;
    await this.#lock.catch(() => {});
  }

  /**
   * Applies every secret update the server has for this device now (commits, messages, new and
   * revoked devices), then makes the commits they asked for.
   *
   * @example await secret.sync()
   */
  sync(): Promise<void> {
    return this.#run(() => this.#syncLocked());
  }

  /**
   * This device's secret chats.
   *
   * @example for (const chat of secret.chats()) console.log(chat.chatId)
   */
  chats(): SecretChatSummary[] {
    return Object.values(this.#device.state.chats).map((chat) => ({
      chatId: chat.chatId,
      timer: chat.timer,
      closed: chat.group === null,
      epoch: chat.group === null ? undefined : this.#device.group(chat).epoch,
    }));
  }

  /**
   * Starts a secret chat with these users: every device of theirs, and this user's other devices,
   * join the MLS group. A user with no device able to join is refused (NO_DEVICES) before anything
   * is created.
   *
   * @example const chatId = await secret.createChat([friendId], '')
   */
  createChat(userIds: string[], title?: string): Promise<string> {
    return this.#run(async () => {
      const { userId, deviceId } = this.#device.state;
      const others = [...new Set(userIds)].filter((id) => id !== userId);
      const claimed = await claim(this.#device, [...others, userId], [deviceId]);
      const missing = others.filter((id) => !claimed.some((c) => c.userId === id));
      if (missing.length > 0) {
        throw new SecretError(
          'NO_DEVICES',
          `No device of ${missing.join(', ')} can join secret chats yet`,
        );
      }
      const groupId = randomBytes(16);
      const chat = await this.#device.client.call('secret.create', {
        groupId: toBase64(groupId),
        ...(title !== undefined && { title }),
      });
      const [bundle] = await generateKeyPackages(this.#device.identity, 1, {});
      if (!bundle) throw new Error('generateKeyPackages returned nothing');
      const group = await SecretGroup.create(
        this.#device.identity,
        bundle,
        groupId,
        this.#device.auth(),
      );
      this.#device.state.chats[chat.id] = {
        chatId: chat.id,
        groupId: toBase64(groupId),
        group: toBase64(group.serialize()),
        joinedEpoch: group.epoch,
        timer: 0,
        keysUpdatedAt: this.#device.clock.now(),
        messages: [],
      };
      await this.#device.save();
      await addClaimed(this.#device, chat.id, claimed);
      return chat.id;
    });
  }

  /**
   * Adds users (all their devices) to a secret chat.
   *
   * @example await secret.addMembers(chatId, [friendId])
   */
  addMembers(chatId: string, userIds: string[]): Promise<void> {
    return this.#run(async () => {
      const group = this.#device.group(this.#device.openChat(chatId));
      const inGroup = group.members().map((m) => m.deviceId);
      const claimed = await claim(this.#device, [...new Set(userIds)], inGroup);
      const missing = userIds.filter(
        (id) =>
          !claimed.some((c) => c.userId === id) && !group.members().some((m) => m.userId === id),
      );
      if (missing.length > 0) {
        throw new SecretError(
          'NO_DEVICES',
          `No device of ${missing.join(', ')} can join secret chats yet`,
          { chatId },
        );
      }
      await addClaimed(this.#device, chatId, claimed);
    });
  }

  /**
   * Removes a user (every device of theirs) from a secret chat: they read nothing sent after.
   *
   * @example await secret.removeMember(chatId, userId)
   */
  removeMember(chatId: string, userId: string): Promise<void> {
    return this.#run(async () => {
      const group = this.#device.group(this.#device.openChat(chatId));
      if (!group.members().some((m) => m.userId === userId)) {
        throw new SecretError('NOT_IN_CHAT', `${userId} is not in this chat`, { chatId });
      }
      await commit(this.#device, chatId, (current) => {
        const remove = current
          .members()
          .filter((m) => m.userId === userId)
          .map(({ userId: u, deviceId }) => ({ userId: u, deviceId }));
        return remove.length > 0 ? { remove } : undefined;
      });
    });
  }

  /**
   * Encrypts and sends a text with the chat's current timer. A group that moved on meanwhile is
   * caught up and the text re-encrypted; devices revoked but still in the group are removed first.
   *
   * @example const message = await secret.send(chatId, '안녕')
   */
  send(chatId: string, text: string): Promise<SecretMessage> {
    return this.#run(() => {
      const chat = this.#device.openChat(chatId);
      return sendContent(this.#device, chatId, { type: 'text', text, timer: chat.timer });
    });
  }

  /**
   * Sets the chat's self-destruct timer (seconds; 0 turns it off), told to every member inside
   * the encryption as a service message.
   *
   * @example await secret.setTimer(chatId, 30)
   */
  setTimer(chatId: string, timer: SecretTimer): Promise<SecretMessage> {
    return this.#run(async () => {
      this.#device.openChat(chatId);
      const message = await sendContent(this.#device, chatId, { type: 'timer', timer });
      this.#device.emitter.emit('timer', { chatId, timer, by: this.#device.device });
      return message;
    });
  }

  /**
   * The messages this device holds for a chat, oldest first (the server is never asked: it has
   * no plaintext). Self-destructed ones are gone.
   *
   * @example for (const m of secret.history(chatId)) print(m)
   */
  history(chatId: string): SecretMessage[] {
    const chat = this.#device.chat(chatId);
    return chat.messages.filter(
      (m) => m.destroyAt === undefined || m.destroyAt > this.#device.clock.now(),
    );
  }

  /**
   * The user has seen the chat's messages: each one with a timer is deleted that long from now.
   *
   * @example secret.markRead(chatId)
   */
  markRead(chatId: string): Promise<void> {
    return this.#run(async () => {
      if (!markMessagesRead(this.#device.chat(chatId), this.#device.clock.now())) return;
      await this.#device.save();
      this.#scheduleDestruction();
    });
  }

  /**
   * Refreshes this device's keys in the chat (an MLS self-update), for post-compromise security.
   * Done on its own every `keyUpdateIntervalMs`.
   *
   * @example await secret.updateKeys(chatId)
   */
  updateKeys(chatId: string): Promise<void> {
    return this.#run(() => updateKeys(this.#device, chatId));
  }

  /**
   * The chat group's epoch and epoch authenticator on this device: equal on every member that is
   * in step.
   *
   * @example const { epoch } = secret.epoch(chatId)
   */
  epoch(chatId: string): { epoch: number; authenticator: Uint8Array } {
    const group = this.#device.group(this.#device.openChat(chatId));
    return { epoch: group.epoch, authenticator: group.epochAuthenticator() };
  }

  /**
   * The devices in a chat's group.
   *
   * @example secret.members(chatId).map((m) => m.userId)
   */
  members(chatId: string): DeviceRef[] {
    return this.#device
      .group(this.#device.openChat(chatId))
      .members()
      .map(({ userId, deviceId }) => ({ userId, deviceId }));
  }

  /**
   * The safety number and key image of this user and another member, over both users' device
   * keys in the chat; compare them in person or on a call, then `markVerified`.
   *
   * @example const { safetyNumber, keyImage } = await secret.verification(chatId, friendId)
   */
  async verification(chatId: string, userId: string): Promise<Verification> {
    const mine = this.#keysOf(chatId, this.#device.state.userId);
    const theirs = this.#keysOf(chatId, userId);
    const a = { userId: this.#device.state.userId, keys: mine };
    const b = { userId, keys: theirs };
    return {
      safetyNumber: await safetyNumber(a, b),
      keyImage: await keyImage(a, b),
      verified: this.#isVerifiedOver(userId, theirs),
    };
  }

  /**
   * Marks a contact verified over their current keys in this chat; a key change drops the mark.
   *
   * @example await secret.markVerified(chatId, friendId)
   */
  markVerified(chatId: string, userId: string): Promise<void> {
    return this.#run(async () => {
      const keys = this.#keysOf(chatId, userId);
      this.#device.state.verified[userId] = keys.map(toBase64).sort();
      await this.#device.save();
    });
  }

  // ---- internals -------------------------------------------------------------------------

  /** Runs `task` after every earlier one: the state has one writer at a time. */
  #run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#lock.then(() =>
      this.#exclusive(async () => {
        // Another process may have moved the state on (a CLI command beside `listen`).
        if (this.#shared)
          this.#device.state = (await readState(this.#options)) ?? this.#device.state;
        this.#device.directory = new Map();
        return task();
      }),
    );
    this.#lock = result.catch(() => {});
    return result;
  }

  #scheduleSync(): void {
    if (this.#syncQueued) return;
    this.#syncQueued = true;
    void this.#run(async () => {
      this.#syncQueued = false;
      await this.#syncLocked();
    }).catch((error: unknown) => {
      // Offline: the next 'synced' reads the log again.
      if (!isConnectionError(error)) this.#device.emitError(error, 'COMMIT_FAILED');
    });
  }

  #keysOf(chatId: string, userId: string): Uint8Array[] {
    const keys = this.#device
      .group(this.#device.chat(chatId))
      .members()
      .filter((m) => m.userId === userId)
      .map((m) => m.signatureKey);
    if (keys.length === 0) {
      throw new SecretError('NOT_IN_CHAT', `${userId} has no device in this chat`, { chatId });
    }
    return keys;
  }

  #isVerifiedOver(userId: string, keys: Uint8Array[]): boolean {
    const marked = this.#device.state.verified[userId];
    if (!marked) return false;
    const current = keys.map(toBase64).sort();
    return marked.length === current.length && marked.every((key, i) => key === current[i]);
  }

  /** Catches up on the update log, then does the commits the updates asked for. */
  async #syncLocked(): Promise<void> {
    await catchUp(this.#device);
    for (let round = 0; this.#device.tasks.length > 0 && round < COMMIT_ATTEMPTS; round++) {
      const tasks = this.#device.tasks;
      this.#device.tasks = [];
      for (const task of tasks) {
        try {
          await runTask(this.#device, task);
        } catch (error) {
          if (isConnectionError(error)) {
            this.#device.tasks.push(task);
            throw error;
          }
          this.#device.emitError(error, 'COMMIT_FAILED', task.chatId);
        }
      }
    }
    if (this.#device.topUpWanted) await topUp(this.#device, this.#keyPackageTarget);
    await updateStaleKeys(this.#device, this.#keyUpdateMs);
    if (this.#unfollow) this.#scheduleKeyUpdate();
  }

  /** While following: wakes up when a chat's keys are due, even if nothing else happens. */
  #scheduleKeyUpdate(): void {
    this.#cancelKeyUpdate?.();
    const open = Object.values(this.#device.state.chats).filter((chat) => chat.group !== null);
    if (open.length === 0) return;
    const due = Math.min(...open.map((chat) => chat.keysUpdatedAt)) + this.#keyUpdateMs;
    this.#cancelKeyUpdate = this.#device.clock.schedule(
      () => this.#scheduleSync(),
      Math.max(0, due - this.#device.clock.now()),
    );
  }

  /** Deletes the messages whose time is up, and wakes up for the next one. */
  async #sweep(): Promise<void> {
    const deleted = expireMessages(
      Object.values(this.#device.state.chats),
      this.#device.clock.now(),
    );
    if (deleted.length > 0) await this.#device.save();
    for (const gone of deleted) this.#device.emitter.emit('deleted', gone);
    this.#scheduleDestruction();
  }

  #scheduleDestruction(): void {
    this.#cancelDestruction?.();
    this.#cancelDestruction = undefined;
    const next = nextExpiry(Object.values(this.#device.state.chats));
    if (next === undefined) return;
    this.#cancelDestruction = this.#device.clock.schedule(
      () =>
        void this.#run(() => this.#sweep()).catch((error: unknown) =>
          this.#device.emitError(error, 'STATE_MISMATCH'),
        ),
      next - this.#device.clock.now(),
    );
  }
}
