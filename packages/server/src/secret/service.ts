import {
  LIMITS,
  type Chat,
  type DeviceRef,
  type MethodParams,
  type MethodResult,
  type SecretDevice,
} from '@tokki/protocol';
import type { ChatsService } from '../chats/service.js';
import { lastSeq, moveReadPointer, takeSeq } from '../chats/sending.js';
import type { Database } from '../db/database.js';
import type { SecretGroupDevicesTable, SecretMessagesTable } from '../db/schema.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { FriendsService } from '../friends/service.js';
import type { MemoryRateLimiter } from '../rate-limit/memory.js';
import type { Principal } from '../rpc/route.js';
import { logChatUpdate } from '../updates/log.js';
import type { UpdatesService } from '../updates/service.js';
import {
  checkWelcome,
  commitHeader,
  applicationHeader,
  readOwnKeyPackage,
  type ReadKeyPackage,
} from './inspect.js';
import * as store from './store.js';

export interface SecretOptions {
  /** How long the server keeps a secret message nobody acknowledged (`secret.messageTtlSeconds`). */
  messageTtlSeconds: number;
  /** Messages per user, shared with `messages.send` (config's `rateLimits.messagesPerUser`). */
  sends: MemoryRateLimiter;
}

/** Expired messages one sweep's write purges at most; the sweep goes on until none is left. */
const SWEEP_BATCH = 500;
/** Tries to take a one-time key package another claim took first before giving up on it. */
const CLAIM_TRIES = 5;

/**
 * Secret chats' delivery service (docs/adr/008-secret-chats.md): devices' identity keys and key
 * packages, each group's order of commits (a compare-and-set on its epoch), and ciphertexts held
 * until every device has them or their TTL passes. It reads the public headers of what it is
 * sent (./inspect.ts), never content; a secret chat itself is a chat (chats/secret-chats.ts).
 */
export class SecretService {
  constructor(
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly chats: ChatsService,
    private readonly friends: FriendsService,
    private readonly updates: UpdatesService,
    private readonly options: SecretOptions,
  ) {}

  async publishIdentity(
    principal: Principal,
    params: MethodParams<'secret.publishIdentity'>,
  ): Promise<void> {
    const { userId, deviceId } = principal;
    const key = decodeBytes(params.signatureKey);
    if (key.length !== 32)
      throw new ApiError('INVALID_PARAMS', 'An identity key is 32 bytes (Ed25519).');
    const signatureKey = key.toString('base64');
    await this.writes.run(async (w) => {
      const existing = await store.findIdentity(w.db, deviceId);
      if (existing?.signature_key === signatureKey) return;
      await store.saveIdentity(w.db, {
        device_id: deviceId,
        user_id: userId,
        signature_key: signatureKey,
        published_at: w.now,
      });
      // Packages made with the old key could never join a group under the new one.
      if (existing) await store.dropKeyPackages(w.db, deviceId);
      // The chats hear of the device with its first key packages (uploadKeyPackages): told now,
      // a member would find nothing to claim for it.
    });
  }

  async devices(
    principal: Principal,
    params: MethodParams<'secret.devices'>,
  ): Promise<SecretDevice[]> {
    const visible = await this.visibleUsers(principal.userId, params.userIds);
    const rows = await store.identitiesOf(this.database.db, visible);
    return rows.map((row) => ({
      userId: row.user_id,
      deviceId: row.device_id,
      signatureKey: row.signature_key,
      publishedAt: row.published_at,
    }));
  }

  async uploadKeyPackages(
    principal: Principal,
    params: MethodParams<'secret.uploadKeyPackages'>,
  ): Promise<number> {
    const { deviceId } = principal;
    const identity = await store.findIdentity(this.database.db, deviceId);
    if (!identity)
      throw new ApiError('SECRET_NO_IDENTITY', 'Publish this device\u2019s identity key first.');
    const read: ReadKeyPackage = (bytes) => readOwnKeyPackage(bytes, principal, identity);
    const oneTime = await Promise.all(params.keyPackages.map((data) => read(data)));
    const lastResort = params.lastResort === undefined ? undefined : await read(params.lastResort);
    return this.writes.run(async (w) => {
      // Checked again in the write: a new key published meanwhile drops packages of the old one.
      const current = await store.findIdentity(w.db, deviceId);
      if (current?.signature_key !== identity.signature_key)
        throw new ApiError('CONFLICT', 'The identity key changed meanwhile; make new packages.');
      const first =
        (await store.oneTimeRefs(w.db, deviceId)).length === 0 &&
        (await store.lastResortOf(w.db, deviceId)) === undefined;
      const row = (pkg: { ref: string; data: string }, last: boolean) => ({
        device_id: deviceId,
        ref: pkg.ref,
        user_id: principal.userId,
        data: pkg.data,
        last_resort: last ? 1 : 0,
        created_at: w.now,
      });
      await store.insertKeyPackages(
        w.db,
        oneTime.map((pkg) => row(pkg, false)),
      );
      if (lastResort) {
        await store.dropLastResort(w.db, deviceId);
        await store.insertKeyPackages(w.db, [row(lastResort, true)]);
      }
      // A device that can be added now: each secret chat of its user asks a member to add it.
      if (first && (oneTime.length > 0 || lastResort)) {
        // Also where it is a leaf: after a new identity key, its leaf has the old one.
        for (const chatId of await this.chats.secret.chatsOf(w, principal.userId)) {
          await this.updates.appendChatUpdate(w, chatId, {
            kind: 'secret.deviceAdded',
            chatId,
            userId: principal.userId,
            deviceId,
          });
        }
      }
      // A device keeps its newest SECRET_KEY_PACKAGES_MAX; the oldest make room.
      const refs = await store.oneTimeRefs(w.db, deviceId);
      const excess = refs.length - LIMITS.SECRET_KEY_PACKAGES_MAX;
      for (const ref of refs.slice(0, Math.max(0, excess)))
        await store.dropKeyPackage(w.db, deviceId, ref);
      return Math.min(refs.length, LIMITS.SECRET_KEY_PACKAGES_MAX);
    });
  }

  async claimKeyPackages(
    principal: Principal,
    params: MethodParams<'secret.claimKeyPackages'>,
  ): Promise<MethodResult<'secret.claimKeyPackages'>['keyPackages']> {
    const except = new Set([principal.deviceId, ...(params.exceptDeviceIds ?? [])]);
    const visible = await this.visibleUsers(principal.userId, params.userIds);
    return this.writes.run(async (w) => {
      const claimed: MethodResult<'secret.claimKeyPackages'>['keyPackages'] = [];
      for (const identity of await store.identitiesOf(w.db, visible)) {
        if (except.has(identity.device_id)) continue;
        const taken = await this.takeKeyPackage(w, identity.device_id);
        if (!taken) continue;
        await store.recordClaim(w.db, principal.userId, identity.device_id, w.now);
        claimed.push({
          userId: identity.user_id,
          deviceId: identity.device_id,
          keyPackage: taken.data,
        });
        if (!taken.oneTime) continue;
        const remaining = (await store.oneTimeRefs(w.db, identity.device_id)).length;
        if (remaining < LIMITS.SECRET_KEY_PACKAGES_LOW) {
          await this.updates.appendUserUpdate(w, identity.user_id, {
            kind: 'secret.keyPackagesLow',
            deviceId: identity.device_id,
            remaining,
          });
        }
      }
      return claimed;
    });
  }

  /**
   * A one-time key package of the device, deleted as it is handed out (two claims never get the
   * same one: the second's delete finds no row and it takes the next), else its last-resort one.
   */
  private async takeKeyPackage(w: Writer, deviceId: string) {
    for (let i = 0; i < CLAIM_TRIES; i++) {
      const oldest = await store.oldestOneTime(w.db, deviceId);
      if (!oldest) break;
      if ((await store.dropKeyPackage(w.db, deviceId, oldest.ref)) === 1)
        return { data: oldest.data, oneTime: true };
    }
    const lastResort = await store.lastResortOf(w.db, deviceId);
    return lastResort && { data: lastResort.data, oneTime: false };
  }

  async create(principal: Principal, params: MethodParams<'secret.create'>): Promise<Chat> {
    const { userId, deviceId } = principal;
    const groupId = decodeBytes(params.groupId);
    if (groupId.length < 16 || groupId.length > 32)
      throw new ApiError('INVALID_PARAMS', 'A group id is 16 to 32 random bytes.');
    const chatId = await this.writes.run(async (w) => {
      if (!(await store.findIdentity(w.db, deviceId)))
        throw new ApiError('SECRET_NO_IDENTITY', 'Publish this device\u2019s identity key first.');
      const id = groupId.toString('base64');
      if (await store.groupIdTaken(w.db, id))
        throw new ApiError('CONFLICT', 'That group id is taken: choose another at random.');
      const chatId = await this.chats.secret.create(w, userId, params.title?.trim() ?? '');
      await store.insertGroup(w.db, { chat_id: chatId, group_id: id, epoch: 0, created_at: w.now });
      await store.insertGroupDevices(w.db, [leaf(chatId, principal, 0, w.now)]);
      return chatId;
    });
    return this.chats.views.get(principal, { chatId });
  }

  async group(
    principal: Principal,
    { chatId }: MethodParams<'secret.group'>,
  ): Promise<MethodResult<'secret.group'>> {
    await this.chats.requireMember(null, chatId, principal.userId);
    const { db } = this.database;
    const group = await store.findGroup(db, chatId);
    if (!group) throw noSuchGroup();
    const devices = await store.groupDevices(db, chatId);
    return {
      epoch: group.epoch,
      devices: devices.map((d) => ({
        userId: d.user_id,
        deviceId: d.device_id,
        revoked: d.revoked === 1,
      })),
    };
  }

  /**
   * Moves the group to its next epoch with a member's commit, in one write: the compare-and-set
   * on the epoch orders commits; the devices it adds (each claimed by the committer) and removes
   * (each a leaf) become or stop being leaves; users join with their first device and leave with
   * their last; every member gets the commit, in the chat's log.
   */
  async commit(
    principal: Principal,
    params: MethodParams<'secret.commit'>,
  ): Promise<{ epoch: number }> {
    const { userId, deviceId } = principal;
    const { chatId, epoch, adds, removes } = params;
    const commitBytes = decodeBytes(params.commit);
    const header = commitHeader(commitBytes, epoch);
    const welcome = params.welcome === undefined ? undefined : decodeBytes(params.welcome);
    if (adds.length > 0 !== (welcome !== undefined))
      throw new ApiError(
        'SECRET_MESSAGE_INVALID',
        'A commit that adds devices comes with their Welcome, and only such a commit.',
      );
    if (welcome) checkWelcome(welcome);
    // A device may be removed and added back in one commit (its key changed), not named twice.
    for (const list of [adds, removes])
      if (new Set(list.map((d) => d.deviceId)).size !== list.length)
        throw new ApiError('INVALID_PARAMS', 'A device is named twice.');
    if (removes.some((d) => d.deviceId === deviceId))
      throw new ApiError('INVALID_PARAMS', 'A device cannot commit its own removal.');
    return this.writes.run(async (w) => {
      const group = await this.requireLeaf(w, principal, chatId);
      if (header.groupId !== group.group_id)
        throw new ApiError('SECRET_MESSAGE_INVALID', 'A commit of another group.');
      if (epoch !== group.epoch) throw epochStale(group.epoch);
      const leaves = new Map(
        (await store.groupDevices(w.db, chatId)).map((d) => [d.device_id, d] as const),
      );
      for (const removed of removes) {
        if (leaves.get(removed.deviceId)?.user_id !== removed.userId)
          throw new ApiError('NOT_FOUND', `${removed.deviceId} is not a device of this group.`);
      }
      const staying = new Map(leaves);
      for (const removed of removes) staying.delete(removed.deviceId);
      await this.requireAddable(w, userId, adds, staying);
      if (leaves.size - removes.length + adds.length > LIMITS.SECRET_GROUP_DEVICES_MAX)
        throw new ApiError(
          'GROUP_FULL',
          `A secret chat holds at most ${LIMITS.SECRET_GROUP_DEVICES_MAX} devices.`,
        );
      if (!(await store.advanceEpoch(w.db, chatId, epoch))) {
        const current = await store.findGroup(w.db, chatId);
        throw epochStale(current?.epoch ?? epoch + 1);
      }
      await store.consumeClaims(
        w.db,
        userId,
        adds.map((d) => d.deviceId),
      );
      await store.deleteGroupDevices(
        w.db,
        chatId,
        removes.map((d) => d.deviceId),
      );
      // A device added now holds nothing sent before: it acknowledges up to the chat's seq.
      const seq = await lastSeq(w.sql, chatId);
      await store.insertGroupDevices(
        w.db,
        adds.map((d) => leaf(chatId, d, seq, w.now)),
      );
      // Joined before the commit is logged, so that the new members' devices get it (and its Welcome).
      const joining = unique(adds.map((d) => d.userId));
      // PostgreSQL refuses `in ()`: a commit that adds nobody (an update, a removal) joins nobody.
      if (joining.length > 0) await this.chats.secret.join(w, chatId, joining, userId);
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'secret.commit',
        chatId,
        epoch: epoch + 1,
        senderId: userId,
        deviceId,
        data: toBase64(commitBytes),
        welcome: welcome ? toBase64(welcome) : null,
        added: adds.map(deviceRef),
        removed: removes.map(deviceRef),
        at: w.now,
      });
      // Left after it, so that those removed get the commit that removed them.
      const remaining = new Set([
        ...[...staying.values()].map((d) => d.user_id),
        ...adds.map((d) => d.userId),
      ]);
      for (const gone of unique(removes.map((d) => d.userId)).filter((u) => !remaining.has(u)))
        await this.chats.secret.leave(w, chatId, gone, userId);
      await this.purgeAcknowledged(w, chatId);
      return { epoch: epoch + 1 };
    });
  }

  /** Devices a commit may add: each has an identity, is no leaf yet, and was claimed by the committer. */
  private async requireAddable(
    w: Writer,
    committerId: string,
    adds: readonly DeviceRef[],
    leaves: ReadonlyMap<string, SecretGroupDevicesTable>,
  ): Promise<void> {
    if (adds.length === 0) return;
    const claimed = await store.claimedAmong(
      w.db,
      committerId,
      adds.map((d) => d.deviceId),
    );
    for (const added of adds) {
      if (leaves.has(added.deviceId))
        throw new ApiError('CONFLICT', `${added.deviceId} is a device of this group already.`);
      const identity = await store.findIdentity(w.db, added.deviceId);
      if (identity?.user_id !== added.userId)
        throw new ApiError('NOT_FOUND', `No device ${added.deviceId} of ${added.userId}.`);
      if (!claimed.has(added.deviceId))
        throw new ApiError(
          'FORBIDDEN',
          `Claim a key package of ${added.deviceId} (secret.claimKeyPackages) before adding it.`,
        );
    }
  }

  /**
   * Sends an application message in the group's current epoch: it takes the chat's next seq (so
   * unread counters count it) and travels as `secret.message`, held until every device has
   * acknowledged it or its TTL passes.
   */
  async send(
    principal: Principal,
    params: MethodParams<'secret.send'>,
  ): Promise<MethodResult<'secret.send'>> {
    const { userId, deviceId } = principal;
    const { chatId, epoch } = params;
    const bytes = decodeBytes(params.data);
    if (bytes.length > LIMITS.SECRET_MESSAGE_BYTES_MAX)
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `A secret message is at most ${LIMITS.SECRET_MESSAGE_BYTES_MAX} bytes.`,
      );
    const header = applicationHeader(bytes, epoch);
    const retryAfter = this.options.sends.hit(userId);
    if (retryAfter)
      throw new ApiError('RATE_LIMITED', 'Too many messages; try again later.', retryAfter);
    return this.writes.run(async (w) => {
      const group = await this.requireLeaf(w, principal, chatId);
      if (header.groupId !== group.group_id)
        throw new ApiError('SECRET_MESSAGE_INVALID', 'A message of another group.');
      const pending = (await store.groupDevices(w.db, chatId)).filter((d) => d.revoked === 1);
      if (pending.length > 0)
        throw new ApiError(
          'SECRET_REMOVAL_PENDING',
          'Revoked devices are still in the group: commit their removal, then send.',
          undefined,
          { deviceIds: pending.map((d) => d.device_id) },
        );
      if (epoch !== group.epoch) throw epochStale(group.epoch);
      const pts = w.nextPts();
      const seq = await takeSeq(w.sql, chatId, pts, w.now);
      await moveReadPointer(w.sql, chatId, userId, seq);
      const expiresAt = w.now + this.options.messageTtlSeconds * 1000;
      await store.insertMessage(w.db, {
        chat_id: chatId,
        seq,
        pts,
        sender_id: userId,
        device_id: deviceId,
        epoch,
        created_at: w.now,
        expires_at: expiresAt,
      });
      const from = { ...principal, epoch, sentAt: w.now, expiresAt };
      await logChatUpdate(w, chatId, pts, messageUpdate(chatId, seq, toBase64(bytes), from));
      return { seq, expiresAt };
    });
  }

  /** The calling device holds the chat's messages up to `seq`: those every device holds go. */
  async ack(principal: Principal, { chatId, seq }: MethodParams<'secret.ack'>): Promise<void> {
    await this.writes.run(async (w) => {
      await this.requireLeaf(w, principal, chatId);
      const acked = Math.min(seq, await lastSeq(w.sql, chatId));
      await store.ack(w.db, chatId, principal.deviceId, acked);
      await this.purgeAcknowledged(w, chatId);
    });
  }

  /**
   * Purges the messages past their TTL (by the write queue's clock), a batch per write until none
   * is left; how many went.
   */
  async purgeExpired(): Promise<number> {
    let purged = 0;
    for (;;) {
      const count = await this.writes.run(async (w) => {
        const rows = await store.expiredMessages(w.db, w.now, SWEEP_BATCH);
        for (const row of rows) await this.purge(w, row);
        return rows.length;
      });
      purged += count;
      if (count < SWEEP_BATCH) return purged;
    }
  }

  /**
   * Accounts revoked a device: it is marked revoked in every group it is a leaf of (each chat is
   * told, and no one sends until a member commits its removal), and its identity and key
   * packages go. In the revocation's write.
   */
  async deviceRevoked(w: Writer, userId: string, deviceId: string): Promise<void> {
    await store.forgetDevice(w.db, deviceId);
    for (const membership of await store.groupsOfDevice(w.db, deviceId)) {
      if (membership.revoked === 1) continue;
      await this.markRevoked(w, membership.chat_id, userId, deviceId);
    }
  }

  /** `userId` left a secret chat (chats.leave): their devices await removal, as revoked ones. */
  async userLeft(w: Writer, chatId: string, userId: string): Promise<void> {
    for (const device of await store.groupDevices(w.db, chatId)) {
      if (device.user_id !== userId || device.revoked === 1) continue;
      await this.markRevoked(w, chatId, userId, device.device_id);
    }
  }

  private async markRevoked(w: Writer, chatId: string, userId: string, deviceId: string) {
    await store.markRevoked(w.db, chatId, deviceId);
    await this.updates.appendChatUpdate(w, chatId, {
      kind: 'secret.deviceRevoked',
      chatId,
      userId,
      deviceId,
    });
    // It no longer holds anything back: what the others have acknowledged can go.
    await this.purgeAcknowledged(w, chatId);
  }

  /** Purges every message all the group's devices (not revoked) have acknowledged. */
  private async purgeAcknowledged(w: Writer, chatId: string): Promise<void> {
    const through = await store.ackedByAll(w.db, chatId);
    if (through === undefined) return;
    for (const row of await store.messagesThrough(w.db, chatId, through)) await this.purge(w, row);
  }

  /**
   * The server's copy of a message goes: its row, and the ciphertext in its update — in the log
   * and in the recent-updates memory (`rewriteChatUpdate`), which is where it was.
   */
  private async purge(w: Writer, row: SecretMessagesTable): Promise<void> {
    if (!(await store.deleteMessage(w.db, row.chat_id, row.seq))) return;
    await this.updates.rewriteChatUpdate(
      w,
      row.chat_id,
      row.pts,
      messageUpdate(row.chat_id, row.seq, null, {
        userId: row.sender_id,
        deviceId: row.device_id,
        epoch: row.epoch,
        sentAt: row.created_at,
        expiresAt: row.expires_at,
      }),
    );
  }

  /** The group of a secret chat the caller is in, from one of its current, unrevoked leaves. */
  private async requireLeaf(w: Writer, principal: Principal, chatId: string) {
    await this.chats.requireMember(w, chatId, principal.userId);
    const group = await store.findGroup(w.db, chatId);
    if (!group) throw noSuchGroup();
    const device = await store.findGroupDevice(w.db, chatId, principal.deviceId);
    if (!device || device.revoked === 1)
      throw new ApiError('NOT_MEMBER', 'This device is not in the secret chat\u2019s group.');
    return group;
  }

  /**
   * Of `userIds`, whose devices the caller may see: their own, their friends' (either way) and
   * those they share a chat with — never someone who blocked them, or whom they blocked.
   */
  private async visibleUsers(callerId: string, userIds: readonly string[]): Promise<string[]> {
    const others = unique(userIds).filter((id) => id !== callerId);
    const visible = userIds.includes(callerId) ? [callerId] : [];
    if (others.length === 0) return visible;
    const everyone = [callerId, ...others];
    const { friends, blocks } = await this.friends.relations(everyone, everyone);
    const mates = new Set(await this.chats.secret.chatMatesAmong(callerId, others));
    for (const other of others) {
      if (blocks.has(`${other} ${callerId}`) || blocks.has(`${callerId} ${other}`)) continue;
      if (
        mates.has(other) ||
        friends.has(`${callerId} ${other}`) ||
        friends.has(`${other} ${callerId}`)
      )
        visible.push(other);
    }
    return visible;
  }
}

const leaf = (
  chatId: string,
  device: DeviceRef,
  ackedSeq: number,
  now: number,
): SecretGroupDevicesTable => ({
  chat_id: chatId,
  device_id: device.deviceId,
  user_id: device.userId,
  acked_seq: ackedSeq,
  revoked: 0,
  added_at: now,
});

function messageUpdate(
  chatId: string,
  seq: number,
  data: string | null,
  from: Principal & { epoch: number; sentAt: number; expiresAt: number },
) {
  return {
    kind: 'secret.message' as const,
    chatId,
    seq,
    senderId: from.userId,
    deviceId: from.deviceId,
    epoch: from.epoch,
    data,
    sentAt: from.sentAt,
    expiresAt: from.expiresAt,
  };
}

const deviceRef = (d: DeviceRef): DeviceRef => ({ userId: d.userId, deviceId: d.deviceId });

const unique = (ids: readonly string[]) => [...new Set(ids)];

/** Base64 as the schema let it through (its pattern); to bytes. */
const decodeBytes = (base64: string) => Buffer.from(base64, 'base64');

const toBase64 = (bytes: Buffer) => bytes.toString('base64');

const noSuchGroup = () => new ApiError('NOT_FOUND', 'No such secret chat.');

const epochStale = (epoch: number) =>
  new ApiError(
    'SECRET_EPOCH_STALE',
    `The group is at epoch ${epoch}: process its commits, then try again.`,
    undefined,
    { epoch },
  );
