import {
  createIdentity,
  decodeContent,
  deserializeIdentity,
  encodeContent,
  generateKeyPackages,
  keyImage,
  safetyNumber,
  SecretAuthentication,
  SecretGroup,
  serializeIdentity,
  type DeviceIdentity,
  type KeyDirectory,
  type KeyPackageBundle,
  type SecretContent,
  type TrustStore,
} from '@tokki/e2e';
import { LIMITS, type DeviceRef, type SecretTimer, type Update } from '@tokki/protocol';
import type { TokkiClient } from '../client.js';
import { Emitter, type Listener } from '../emitter.js';
import { isConnectionError, isRetryable, TokkiError } from '../errors.js';
import { fromBase64, randomBytes, sameBytes, toBase64 } from './bytes.js';
import { systemClock, type SecretClock } from './clock.js';
import { SecretError } from './errors.js';
import { encodeState, type ChatState, type DeviceState, type SecretMessage } from './state.js';
import type { SecretChatSummary, SecretEvents, Verification } from './events.js';
import { expireMessages, insertBySeq, markMessagesRead, nextExpiry } from './history.js';
import { readState, runDirectly, type Exclusive, type SecretClientOptions } from './options.js';
import type { SecretStateStore } from './store.js';

/** A key package claimed for a device, ready to add in a commit. */
interface Claimed {
  userId: string;
  deviceId: string;
  keyPackage: Uint8Array;
}

/** What a commit should do, decided on the group it is made in (it changes on a retry). */
interface CommitPlan {
  add?: Claimed[];
  remove?: DeviceRef[];
  update?: boolean;
}

/** Work an update asked for that needs a commit: done after catching up, not in the middle. */
type Task =
  | { kind: 'add'; chatId: string; userId: string }
  | { kind: 'remove'; chatId: string; userId: string; deviceId: string };

const DEFAULT_KEY_PACKAGES = 50;
const DEFAULT_KEY_UPDATE_MS = 7 * 86_400_000;
const COMMIT_ATTEMPTS = 20;

const deviceKey = (userId: string, deviceId: string) => `${userId}/${deviceId}`;
const sameDevice = (a: DeviceRef, b: DeviceRef) =>
  a.userId === b.userId && a.deviceId === b.deviceId;
const isSecretUpdate = (update: Update) => update.kind.startsWith('secret.');

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
  readonly #client: TokkiClient;
  readonly #store: SecretStateStore;
  readonly #clock: SecretClock;
  readonly #keyPackageTarget: number;
  readonly #keyUpdateMs: number;
  readonly #emitter = new Emitter<SecretEvents>();
  readonly #identity: DeviceIdentity;
  readonly #options: SecretClientOptions;
  readonly #exclusive: Exclusive;
  /** Whether other processes use the same store (an `exclusive` lock was given). */
  readonly #shared: boolean;
  #state: DeviceState;
  #lock: Promise<unknown> = Promise.resolve();
  #tasks: Task[] = [];
  #topUpWanted = false;
  #syncQueued = false;
  #cancelDestruction: (() => void) | undefined;
  #cancelKeyUpdate: (() => void) | undefined;
  #unfollow: (() => void) | undefined;
  /** The device directory as fetched during one operation (keys can change between them). */
  #directory = new Map<string, Map<string, Uint8Array>>();

  private constructor(options: SecretClientOptions, state: DeviceState, identity: DeviceIdentity) {
    this.#client = options.client;
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#keyPackageTarget = Math.min(
      options.keyPackageTarget ?? DEFAULT_KEY_PACKAGES,
      LIMITS.SECRET_KEY_PACKAGES_MAX,
    );
    this.#keyUpdateMs = options.keyUpdateIntervalMs ?? DEFAULT_KEY_UPDATE_MS;
    this.#state = state;
    this.#identity = identity;
    this.#options = options;
    this.#exclusive = options.exclusive ?? runDirectly;
    this.#shared = options.exclusive !== undefined;
    const listeners = options.listeners ?? {};
    const listen = <K extends keyof SecretEvents>(name: K) => {
      const listener = listeners[name];
      if (listener) this.#emitter.on(name, listener);
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
      if (!secret.#state.published) {
        await secret.#client.call('secret.publishIdentity', {
          signatureKey: toBase64(identity.signaturePublicKey),
        });
        secret.#state.published = true;
        await secret.#save();
      }
      secret.#topUpWanted = true;
      await secret.#sweep();
      await secret.#syncLocked();
    });
    return secret;
  }

  /** This device. */
  get device(): DeviceRef {
    return { userId: this.#state.userId, deviceId: this.#state.deviceId };
  }

  /**
   * Listens to an event; returns a function that stops listening.
   *
   * @example secret.on('keyChange', ({ userId }) => warn(userId))
   */
  on<K extends keyof SecretEvents>(name: K, listener: Listener<SecretEvents[K]>): () => void {
    return this.#emitter.on(name, listener);
  }

  /**
   * Applies secret updates as the client's realtime connection delivers them (the client must be
   * connected). Returns a function that stops following.
   *
   * @example secret.follow(); await client.connect()
   */
  follow(): () => void {
    this.#unfollow?.();
    const offUpdate = this.#client.on('update', ({ update }) => {
      // Joining a chat, too: the commit with our Welcome is in the log right behind it.
      if (isSecretUpdate(update) || update.kind === 'chat.joined') this.#scheduleSync();
    });
    const offSynced = this.#client.on('synced', () => this.#scheduleSync());
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
    return Object.values(this.#state.chats).map((chat) => ({
      chatId: chat.chatId,
      timer: chat.timer,
      closed: chat.group === null,
      epoch: chat.group === null ? undefined : this.#group(chat).epoch,
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
      const { userId, deviceId } = this.#state;
      const others = [...new Set(userIds)].filter((id) => id !== userId);
      const claimed = await this.#claim([...others, userId], [deviceId]);
      const missing = others.filter((id) => !claimed.some((c) => c.userId === id));
      if (missing.length > 0) {
        throw new SecretError(
          'NO_DEVICES',
          `No device of ${missing.join(', ')} can join secret chats yet`,
        );
      }
      const groupId = randomBytes(16);
      const chat = await this.#client.call('secret.create', {
        groupId: toBase64(groupId),
        ...(title !== undefined && { title }),
      });
      const [bundle] = await generateKeyPackages(this.#identity, 1, {});
      if (!bundle) throw new Error('generateKeyPackages returned nothing');
      const group = await SecretGroup.create(this.#identity, bundle, groupId, this.#auth());
      this.#state.chats[chat.id] = {
        chatId: chat.id,
        groupId: toBase64(groupId),
        group: toBase64(group.serialize()),
        joinedEpoch: group.epoch,
        timer: 0,
        keysUpdatedAt: this.#clock.now(),
        messages: [],
      };
      await this.#save();
      await this.#addClaimed(chat.id, claimed);
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
      const group = this.#group(this.#openChat(chatId));
      const inGroup = group.members().map((m) => m.deviceId);
      const claimed = await this.#claim([...new Set(userIds)], inGroup);
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
      await this.#addClaimed(chatId, claimed);
    });
  }

  /**
   * Removes a user (every device of theirs) from a secret chat: they read nothing sent after.
   *
   * @example await secret.removeMember(chatId, userId)
   */
  removeMember(chatId: string, userId: string): Promise<void> {
    return this.#run(async () => {
      const group = this.#group(this.#openChat(chatId));
      if (!group.members().some((m) => m.userId === userId)) {
        throw new SecretError('NOT_IN_CHAT', `${userId} is not in this chat`, { chatId });
      }
      await this.#commit(chatId, (current) => {
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
      const chat = this.#openChat(chatId);
      return this.#sendContent(chatId, { type: 'text', text, timer: chat.timer });
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
      this.#openChat(chatId);
      const message = await this.#sendContent(chatId, { type: 'timer', timer });
      this.#emitter.emit('timer', { chatId, timer, by: this.device });
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
    const chat = this.#chat(chatId);
    return chat.messages.filter(
      (m) => m.destroyAt === undefined || m.destroyAt > this.#clock.now(),
    );
  }

  /**
   * The user has seen the chat's messages: each one with a timer is deleted that long from now.
   *
   * @example secret.markRead(chatId)
   */
  markRead(chatId: string): Promise<void> {
    return this.#run(async () => {
      if (!markMessagesRead(this.#chat(chatId), this.#clock.now())) return;
      await this.#save();
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
    return this.#run(() => this.#updateKeys(chatId));
  }

  /**
   * The chat group's epoch and epoch authenticator on this device: equal on every member that is
   * in step.
   *
   * @example const { epoch } = secret.epoch(chatId)
   */
  epoch(chatId: string): { epoch: number; authenticator: Uint8Array } {
    const group = this.#group(this.#openChat(chatId));
    return { epoch: group.epoch, authenticator: group.epochAuthenticator() };
  }

  /**
   * The devices in a chat's group.
   *
   * @example secret.members(chatId).map((m) => m.userId)
   */
  members(chatId: string): DeviceRef[] {
    return this.#group(this.#openChat(chatId))
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
    const mine = this.#keysOf(chatId, this.#state.userId);
    const theirs = this.#keysOf(chatId, userId);
    const a = { userId: this.#state.userId, keys: mine };
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
      this.#state.verified[userId] = keys.map(toBase64).sort();
      await this.#save();
    });
  }

  // ---- internals -------------------------------------------------------------------------

  /** Runs `task` after every earlier one: the state has one writer at a time. */
  #run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#lock.then(() =>
      this.#exclusive(async () => {
        // Another process may have moved the state on (a CLI command beside `listen`).
        if (this.#shared) this.#state = (await readState(this.#options)) ?? this.#state;
        this.#directory = new Map();
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
      if (!isConnectionError(error)) this.#emitError(error, 'COMMIT_FAILED');
    });
  }

  async #save(): Promise<void> {
    await this.#store.save(encodeState(this.#state));
  }

  #emitError(error: unknown, code: SecretError['code'], chatId?: string, seq?: number): void {
    const secretError =
      error instanceof SecretError
        ? error
        : new SecretError(code, describe(error), { chatId, seq, cause: error });
    this.#emitter.emit('error', secretError);
  }

  #chat(chatId: string): ChatState {
    const chat = this.#state.chats[chatId];
    if (!chat) throw new SecretError('NO_SUCH_CHAT', 'No such secret chat here', { chatId });
    return chat;
  }

  #openChat(chatId: string): ChatState & { group: string } {
    const chat = this.#chat(chatId);
    if (chat.group === null) {
      throw new SecretError('CHAT_CLOSED', 'This device was removed from the chat', { chatId });
    }
    return chat as ChatState & { group: string };
  }

  #group(chat: ChatState): SecretGroup {
    if (chat.group === null) {
      throw new SecretError('CHAT_CLOSED', 'This device was removed from the chat', {
        chatId: chat.chatId,
      });
    }
    return SecretGroup.deserialize(fromBase64(chat.group), this.#identity, this.#auth());
  }

  #setGroup(chat: ChatState, group: SecretGroup): void {
    chat.group = toBase64(group.serialize());
  }

  #keysOf(chatId: string, userId: string): Uint8Array[] {
    const keys = this.#group(this.#chat(chatId))
      .members()
      .filter((m) => m.userId === userId)
      .map((m) => m.signatureKey);
    if (keys.length === 0) {
      throw new SecretError('NOT_IN_CHAT', `${userId} has no device in this chat`, { chatId });
    }
    return keys;
  }

  #isVerifiedOver(userId: string, keys: Uint8Array[]): boolean {
    const marked = this.#state.verified[userId];
    if (!marked) return false;
    const current = keys.map(toBase64).sort();
    return marked.length === current.length && marked.every((key, i) => key === current[i]);
  }

  /** The authentication service: the server's device list, and trust on first use. */
  #auth(): SecretAuthentication {
    const directory: KeyDirectory = {
      deviceKey: async (userId, deviceId) =>
        (await this.#deviceKeys(userId, deviceId)).get(deviceId),
    };
    // Recorded in the state, saved with the group the check was for.
    const trust: TrustStore = {
      get: (userId, deviceId) => {
        const key = this.#state.trust[deviceKey(userId, deviceId)];
        return Promise.resolve(key === undefined ? undefined : fromBase64(key));
      },
      set: (userId, deviceId, key) => {
        this.#state.trust[deviceKey(userId, deviceId)] = toBase64(key);
        return Promise.resolve();
      },
    };
    return new SecretAuthentication({
      directory,
      trust,
      onKeyChange: ({ userId, deviceId, oldKey, newKey }) => {
        if (sameBytes(oldKey, newKey)) return;
        const wasVerified = this.#state.verified[userId] !== undefined;
        delete this.#state.verified[userId];
        this.#emitter.emit('keyChange', { userId, deviceId, wasVerified });
      },
    });
  }

  /** Catches up on the update log, then does the commits the updates asked for. */
  async #syncLocked(): Promise<void> {
    await this.#catchUp();
    for (let round = 0; this.#tasks.length > 0 && round < COMMIT_ATTEMPTS; round++) {
      const tasks = this.#tasks;
      this.#tasks = [];
      for (const task of tasks) {
        try {
          await this.#runTask(task);
        } catch (error) {
          if (isConnectionError(error)) {
            this.#tasks.push(task);
            throw error;
          }
          this.#emitError(error, 'COMMIT_FAILED', task.chatId);
        }
      }
    }
    if (this.#topUpWanted) await this.#topUp();
    await this.#updateStaleKeys();
    if (this.#unfollow) this.#scheduleKeyUpdate();
  }

  /** While following: wakes up when a chat's keys are due, even if nothing else happens. */
  #scheduleKeyUpdate(): void {
    this.#cancelKeyUpdate?.();
    const open = Object.values(this.#state.chats).filter((chat) => chat.group !== null);
    if (open.length === 0) return;
    const due = Math.min(...open.map((chat) => chat.keysUpdatedAt)) + this.#keyUpdateMs;
    this.#cancelKeyUpdate = this.#clock.schedule(
      () => this.#scheduleSync(),
      Math.max(0, due - this.#clock.now()),
    );
  }

  /** Applies every secret update after this device's pts, in order. */
  async #catchUp(): Promise<void> {
    for (;;) {
      const difference = await this.#client.call('updates.getDifference', {
        pts: this.#state.pts,
        limit: LIMITS.DIFFERENCE_PAGE_MAX,
      });
      if (difference.kind === 'tooLong') {
        this.#state.pts = difference.pts;
        await this.#save();
        this.#emitError(
          new SecretError(
            'TOO_FAR_BEHIND',
            'This device was away longer than the server keeps updates: its secret chats must re-add it',
          ),
          'TOO_FAR_BEHIND',
        );
        return;
      }
      let dirty = false;
      for (const { pts, update } of difference.updates) {
        if (pts <= this.#state.pts) continue;
        const ack = isSecretUpdate(update) ? await this.#apply(update) : undefined;
        this.#state.pts = pts;
        if (!isSecretUpdate(update)) {
          dirty = true;
          continue;
        }
        // Stored before the server may drop its copy.
        await this.#save();
        dirty = false;
        if (ack) await this.#ack(ack.chatId, ack.seq);
      }
      if (difference.pts > this.#state.pts) {
        this.#state.pts = difference.pts;
        dirty = true;
      }
      if (dirty) await this.#save();
      if (difference.final) return;
    }
  }

  async #ack(chatId: string, seq: number): Promise<void> {
    try {
      await this.#client.call('secret.ack', { chatId, seq });
    } catch (error) {
      // The next message's ack covers this one; the server's TTL covers a device that never acks.
      if (!isConnectionError(error)) this.#emitError(error, 'ACK_FAILED', chatId, seq);
    }
  }

  /**
   * Applies one secret update to the state (not saved yet). Returns the message to acknowledge
   * once saved. A failure of the update itself is emitted, not thrown: the log goes on.
   */
  async #apply(update: Update): Promise<{ chatId: string; seq: number } | undefined> {
    switch (update.kind) {
      case 'secret.message':
        return this.#applyMessage(update);
      case 'secret.commit':
        await this.#applyCommit(update);
        return undefined;
      case 'secret.deviceAdded':
        if (this.#state.chats[update.chatId]?.group) {
          this.#tasks.push({ kind: 'add', chatId: update.chatId, userId: update.userId });
        }
        return undefined;
      case 'secret.deviceRevoked':
        if (this.#state.chats[update.chatId]?.group) {
          const { chatId, userId, deviceId } = update;
          this.#tasks.push({ kind: 'remove', chatId, userId, deviceId });
        }
        return undefined;
      case 'secret.keyPackagesLow':
        if (update.deviceId === this.#state.deviceId) this.#topUpWanted = true;
        return undefined;
      default:
        return undefined;
    }
  }

  async #applyMessage(
    update: Extract<Update, { kind: 'secret.message' }>,
  ): Promise<{ chatId: string; seq: number } | undefined> {
    const chat = this.#state.chats[update.chatId];
    if (!chat || chat.group === null) return undefined;
    const ack = { chatId: update.chatId, seq: update.seq };
    // Our own message is stored since it was sent (or waits in the outbox, if the answer to the
    // send was lost); one from before we joined was not for us.
    if (update.deviceId === this.#state.deviceId && update.senderId === this.#state.userId) {
      const outgoing = chat.outbox?.find((o) => o.data === update.data);
      if (outgoing) await this.#storeSent(chat, outgoing, update.seq, update.sentAt);
      return ack;
    }
    if (update.epoch < chat.joinedEpoch || update.data === null) return undefined;
    if (chat.messages.some((m) => m.seq === update.seq)) return ack;
    let plaintext: Uint8Array;
    let sender: DeviceRef;
    try {
      const result = await this.#group(chat).process(fromBase64(update.data));
      if (result.kind !== 'application') {
        throw new SecretError('DECRYPT_FAILED', 'Expected an application message, got a commit', {
          chatId: chat.chatId,
          seq: update.seq,
        });
      }
      this.#setGroup(chat, result.group);
      plaintext = result.plaintext;
      sender = result.sender;
    } catch (error) {
      // Unreachable server (the key directory): stop here, this update is read again later.
      if (isRetryable(error)) throw error;
      this.#emitError(error, 'DECRYPT_FAILED', chat.chatId, update.seq);
      return undefined;
    }
    if (!sameDevice(sender, { userId: update.senderId, deviceId: update.deviceId })) {
      this.#emitError(
        new SecretError(
          'SENDER_MISMATCH',
          'The server named another sender than the one who signed the message',
          { chatId: chat.chatId, seq: update.seq },
        ),
        'SENDER_MISMATCH',
      );
      return undefined;
    }
    let content: SecretContent;
    try {
      content = decodeContent(plaintext);
    } catch (error) {
      this.#emitError(error, 'DECRYPT_FAILED', chat.chatId, update.seq);
      return ack;
    }
    const message: SecretMessage = {
      chatId: chat.chatId,
      seq: update.seq,
      senderId: sender.userId,
      deviceId: sender.deviceId,
      sentAt: update.sentAt,
      content,
    };
    insertBySeq(chat.messages, message);
    if (content.type === 'timer') {
      chat.timer = content.timer;
      // A service line: seen as it is shown, nothing to destroy.
      message.readAt = this.#clock.now();
    }
    this.#emitter.emit('message', message);
    if (content.type === 'timer') {
      this.#emitter.emit('timer', { chatId: chat.chatId, timer: content.timer, by: sender });
    }
    return ack;
  }

  async #applyCommit(update: Extract<Update, { kind: 'secret.commit' }>): Promise<void> {
    const me = this.device;
    const chat = this.#state.chats[update.chatId];
    const by = { userId: update.senderId, deviceId: update.deviceId };
    const group = chat?.group ? this.#group(chat) : undefined;
    // Added: from the Welcome (also back into a chat we were in, under a new identity key).
    if (update.added.some((d) => sameDevice(d, me)) && (!group || update.epoch > group.epoch)) {
      await this.#join(update, by);
      return;
    }
    if (!chat || !group) return;
    // Our own commit (applied when the server took it), or one the Welcome already included.
    if (update.epoch <= group.epoch) return;
    if (update.removed.some((d) => sameDevice(d, me))) {
      chat.group = null;
      this.#emitter.emit('closed', { chatId: chat.chatId });
      return;
    }
    try {
      const result = await group.process(fromBase64(update.data));
      if (result.kind !== 'commit') throw new Error('Expected a commit');
      this.#setGroup(chat, result.group);
      this.#emitter.emit('members', {
        chatId: chat.chatId,
        added: result.added,
        removed: result.removed,
        by,
      });
    } catch (error) {
      // Unreachable server (the key directory): stop here, this update is read again later.
      if (isRetryable(error)) throw error;
      this.#emitError(error, 'COMMIT_FAILED', chat.chatId);
    }
  }

  async #join(update: Extract<Update, { kind: 'secret.commit' }>, by: DeviceRef): Promise<void> {
    if (update.welcome === null) return;
    try {
      let used: string | undefined;
      const lookup = (ref: string): KeyPackageBundle | undefined => {
        const stored = this.#state.keyPackages[ref];
        if (!stored) return undefined;
        used = ref;
        return {
          ref,
          publicBytes: fromBase64(stored.publicBytes),
          privateBytes: fromBase64(stored.privateBytes),
          lastResort: stored.lastResort,
        };
      };
      const group = await SecretGroup.join(
        this.#identity,
        fromBase64(update.welcome),
        lookup,
        this.#auth(),
      );
      // A one-time package is spent; the last-resort one stays for the next Welcome.
      if (used !== undefined && !this.#state.keyPackages[used]?.lastResort) {
        delete this.#state.keyPackages[used];
      }
      const previous = this.#state.chats[update.chatId];
      this.#state.chats[update.chatId] = {
        chatId: update.chatId,
        groupId: toBase64(group.groupId),
        group: toBase64(group.serialize()),
        joinedEpoch: group.epoch,
        timer: previous?.timer ?? 0,
        keysUpdatedAt: this.#clock.now(),
        messages: previous?.messages ?? [],
      };
      this.#emitter.emit('members', {
        chatId: update.chatId,
        added: update.added,
        removed: update.removed,
        by,
      });
    } catch (error) {
      // Unreachable server (the key directory): stop here, this update is read again later.
      if (isRetryable(error)) throw error;
      this.#emitError(error, 'JOIN_FAILED', update.chatId);
    }
  }

  async #runTask(task: Task): Promise<void> {
    const chat = this.#state.chats[task.chatId];
    if (!chat || chat.group === null) return;
    if (task.kind === 'add') {
      // Its devices not in the group, and those whose leaf holds another key than the one they
      // publish now (a device that lost its state made a new identity): those are re-added.
      const keys = await this.#deviceKeys(task.userId);
      const current = this.#group(chat)
        .members()
        .filter((m) => {
          const key = m.userId === task.userId ? keys.get(m.deviceId) : undefined;
          return key === undefined || sameBytes(key, m.signatureKey);
        })
        .map((m) => m.deviceId);
      const claimed = await this.#claim([task.userId], current);
      await this.#addClaimed(task.chatId, claimed);
    } else {
      const target = { userId: task.userId, deviceId: task.deviceId };
      await this.#commit(task.chatId, (group) =>
        group.members().some((m) => sameDevice(m, target)) ? { remove: [target] } : undefined,
      );
    }
  }

  /** One key package for each device of these users that is not in `except` (nor this one). */
  /** The identity keys a user's devices publish, as fetched in this operation (fetched again for a device not seen). */
  async #deviceKeys(userId: string, deviceId?: string): Promise<Map<string, Uint8Array>> {
    let devices = this.#directory.get(userId);
    if (!devices || (deviceId !== undefined && !devices.has(deviceId))) {
      const { devices: listed } = await this.#client.call('secret.devices', { userIds: [userId] });
      devices = new Map(listed.map((d) => [d.deviceId, fromBase64(d.signatureKey)]));
      this.#directory.set(userId, devices);
    }
    return devices;
  }

  async #claim(userIds: string[], except: string[]): Promise<Claimed[]> {
    if (userIds.length === 0) return [];
    const { keyPackages } = await this.#client.call('secret.claimKeyPackages', {
      userIds,
      exceptDeviceIds: [...new Set([...except, this.#state.deviceId])],
    });
    return keyPackages
      .filter((k) => k.deviceId !== this.#state.deviceId && !except.includes(k.deviceId))
      .map((k) => ({
        userId: k.userId,
        deviceId: k.deviceId,
        keyPackage: fromBase64(k.keyPackage),
      }));
  }

  /** The key a claimed device publishes (its key package carries the same, or auth refuses it). */
  async #publishedKey(claim: Claimed): Promise<Uint8Array> {
    return (
      (await this.#deviceKeys(claim.userId, claim.deviceId)).get(claim.deviceId) ?? new Uint8Array()
    );
  }

  /** Commits the adds of claimed packages, at most SECRET_ADDS_PER_COMMIT_MAX to a commit. */
  async #addClaimed(chatId: string, claimed: Claimed[]): Promise<void> {
    for (let i = 0; i < claimed.length; i += LIMITS.SECRET_ADDS_PER_COMMIT_MAX) {
      const batch = claimed.slice(i, i + LIMITS.SECRET_ADDS_PER_COMMIT_MAX);
      await this.#commit(chatId, async (group) => {
        const add: Claimed[] = [];
        const remove: DeviceRef[] = [];
        for (const claim of batch) {
          const member = group.members().find((m) => sameDevice(m, claim));
          // Another member may have added it while we were catching up.
          if (member === undefined) add.push(claim);
          else if (!sameBytes(member.signatureKey, await this.#publishedKey(claim))) {
            add.push(claim);
            remove.push({ userId: claim.userId, deviceId: claim.deviceId });
          }
        }
        return add.length > 0 ? { add, remove } : undefined;
      });
    }
  }

  /**
   * Makes a commit in the group's current epoch and has the server order it. When another commit
   * won the epoch (SECRET_EPOCH_STALE), catches up and decides again on the new group.
   */
  async #commit(
    chatId: string,
    plan: (group: SecretGroup) => CommitPlan | undefined | Promise<CommitPlan | undefined>,
  ): Promise<void> {
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const chat = this.#openChat(chatId);
      const group = this.#group(chat);
      const next = await plan(group);
      if (!next) return;
      const add = next.add ?? [];
      const remove = next.remove ?? [];
      const result = await group.commit({
        add: add.map((c) => c.keyPackage),
        remove,
        update: next.update ?? false,
      });
      try {
        await this.#client.call('secret.commit', {
          chatId,
          epoch: group.epoch,
          commit: toBase64(result.commit),
          ...(result.welcome && { welcome: toBase64(result.welcome) }),
          adds: add.map(({ userId, deviceId }) => ({ userId, deviceId })),
          removes: remove.map(({ userId, deviceId }) => ({ userId, deviceId })),
        });
      } catch (error) {
        if (error instanceof TokkiError && error.code === 'SECRET_EPOCH_STALE') {
          await this.#catchUp();
          continue;
        }
        throw error;
      }
      this.#setGroup(chat, result.group);
      if (next.update) chat.keysUpdatedAt = this.#clock.now();
      await this.#save();
      this.#emitter.emit('members', {
        chatId,
        added: add.map(({ userId, deviceId }) => ({ userId, deviceId })),
        removed: remove,
        by: this.device,
      });
      return;
    }
    throw new SecretError('TOO_MANY_RETRIES', 'The group kept moving on; try again', { chatId });
  }

  async #sendContent(chatId: string, content: SecretContent): Promise<SecretMessage> {
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const chat = this.#openChat(chatId);
      const group = this.#group(chat);
      const { data, group: next } = await group.encrypt(encodeContent(content));
      const outgoing = { data: toBase64(data), content };
      // The ratchet moved: saved before the ciphertext leaves, so no key is ever used twice. The
      // message waits in the outbox until the server's answer (or its update) gives it a seq.
      this.#setGroup(chat, next);
      chat.outbox = [...(chat.outbox ?? []), outgoing];
      await this.#save();
      let sent: { seq: number; expiresAt: number };
      try {
        sent = await this.#client.call('secret.send', {
          chatId,
          epoch: group.epoch,
          data: outgoing.data,
        });
      } catch (error) {
        // Unanswered, it may have been stored: its update will tell (see #applyMessage).
        if (isConnectionError(error)) throw error;
        chat.outbox = chat.outbox.filter((o) => o !== outgoing);
        await this.#save();
        if (error instanceof TokkiError && error.code === 'SECRET_EPOCH_STALE') {
          await this.#catchUp();
          continue;
        }
        if (error instanceof TokkiError && error.code === 'SECRET_REMOVAL_PENDING') {
          await this.#removeRevoked(chatId);
          continue;
        }
        throw error;
      }
      return this.#storeSent(chat, outgoing, sent.seq, this.#clock.now());
    }
    throw new SecretError('TOO_MANY_RETRIES', 'The group kept moving on; try again', { chatId });
  }

  /** Moves a sent message from the outbox into the history, read (the sender saw it). */
  async #storeSent(
    chat: ChatState,
    outgoing: { data: string; content: SecretContent },
    seq: number,
    sentAt: number,
  ): Promise<SecretMessage> {
    const { content } = outgoing;
    const now = this.#clock.now();
    const timer = content.type === 'text' ? content.timer : 0;
    const message: SecretMessage = {
      chatId: chat.chatId,
      seq,
      ...this.device,
      senderId: this.#state.userId,
      sentAt,
      content,
      readAt: now,
      ...(timer > 0 && { destroyAt: now + timer * 1000 }),
    };
    chat.outbox = (chat.outbox ?? []).filter((o) => o.data !== outgoing.data);
    if (!chat.messages.some((m) => m.seq === seq)) insertBySeq(chat.messages, message);
    if (content.type === 'timer') chat.timer = content.timer;
    await this.#save();
    this.#scheduleDestruction();
    return message;
  }

  /** Commits the removal of the chat's revoked devices (the server refuses sends until then). */
  async #removeRevoked(chatId: string): Promise<void> {
    const { devices } = await this.#client.call('secret.group', { chatId });
    const revoked = devices
      .filter((d) => d.revoked)
      .map(({ userId, deviceId }) => ({ userId, deviceId }));
    await this.#commit(chatId, (group) => {
      const remove = revoked.filter((d) => group.members().some((m) => sameDevice(m, d)));
      return remove.length > 0 ? { remove } : undefined;
    });
  }

  async #updateKeys(chatId: string): Promise<void> {
    await this.#commit(chatId, () => ({ update: true }));
  }

  async #updateStaleKeys(): Promise<void> {
    const due = this.#clock.now() - this.#keyUpdateMs;
    for (const chat of Object.values(this.#state.chats)) {
      if (chat.group === null || chat.keysUpdatedAt > due) continue;
      try {
        await this.#updateKeys(chat.chatId);
      } catch (error) {
        if (isConnectionError(error)) throw error;
        this.#emitError(error, 'COMMIT_FAILED', chat.chatId);
      }
    }
  }

  /** Keeps `keyPackageTarget` one-time key packages and a last-resort one on the server. */
  async #topUp(): Promise<void> {
    const { remaining } = await this.#client.call('secret.uploadKeyPackages', { keyPackages: [] });
    const count = Math.max(0, this.#keyPackageTarget - remaining);
    const hasLastResort = Object.values(this.#state.keyPackages).some((k) => k.lastResort);
    if (count === 0 && hasLastResort) {
      this.#topUpWanted = false;
      return;
    }
    const oneTime = count > 0 ? await generateKeyPackages(this.#identity, count, {}) : [];
    const lastResort = hasLastResort
      ? undefined
      : (await generateKeyPackages(this.#identity, 1, { lastResort: true }))[0];
    // The private halves first: a package the server hands out must be usable by this device.
    for (const bundle of oneTime) this.#keep(bundle, false);
    if (lastResort) this.#keep(lastResort, true);
    await this.#save();
    await this.#client.call('secret.uploadKeyPackages', {
      keyPackages: oneTime.map((b) => toBase64(b.publicBytes)),
      ...(lastResort && { lastResort: toBase64(lastResort.publicBytes) }),
    });
    this.#topUpWanted = false;
  }

  #keep(bundle: KeyPackageBundle, lastResort: boolean): void {
    if (lastResort) {
      for (const [ref, stored] of Object.entries(this.#state.keyPackages)) {
        if (stored.lastResort) delete this.#state.keyPackages[ref];
      }
    }
    this.#state.keyPackages[bundle.ref] = {
      publicBytes: toBase64(bundle.publicBytes),
      privateBytes: toBase64(bundle.privateBytes),
      lastResort,
    };
    // The server keeps a device's newest SECRET_KEY_PACKAGES_MAX; claimed ones wait here for their
    // Welcome a while longer, but not for ever: the oldest go first.
    const oneTime = Object.keys(this.#state.keyPackages).filter(
      (ref) => !this.#state.keyPackages[ref]?.lastResort,
    );
    const excess = oneTime.length - 2 * LIMITS.SECRET_KEY_PACKAGES_MAX;
    for (const ref of oneTime.slice(0, Math.max(0, excess))) delete this.#state.keyPackages[ref];
  }

  /** Deletes the messages whose time is up, and wakes up for the next one. */
  async #sweep(): Promise<void> {
    const deleted = expireMessages(Object.values(this.#state.chats), this.#clock.now());
    if (deleted.length > 0) await this.#save();
    for (const gone of deleted) this.#emitter.emit('deleted', gone);
    this.#scheduleDestruction();
  }

  #scheduleDestruction(): void {
    this.#cancelDestruction?.();
    this.#cancelDestruction = undefined;
    const next = nextExpiry(Object.values(this.#state.chats));
    if (next === undefined) return;
    this.#cancelDestruction = this.#clock.schedule(
      () =>
        void this.#run(() => this.#sweep()).catch((error: unknown) =>
          this.#emitError(error, 'STATE_MISMATCH'),
        ),
      next - this.#clock.now(),
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
