import { encodeContent, type SecretContent, type SecretGroup } from '@tokki/e2e';
import { LIMITS, type DeviceRef } from '@tokki/protocol';
import { isConnectionError, TokkiError } from '../errors.js';
import { fromBase64, sameBytes, toBase64 } from './bytes.js';
import {
  COMMIT_ATTEMPTS,
  sameDevice,
  type Claimed,
  type SecretDevice,
  type Task,
} from './device.js';
import { SecretError } from './errors.js';
import type { SecretMessage } from './state.js';
import { catchUp, storeSent } from './sync.js';

// A device's changes to its groups, each ordered by the server: commits (adds, removals, key
// updates) and sends. When another commit won the epoch, it catches up and decides again.

/** What a commit should do, decided on the group it is made in (it changes on a retry). */
interface CommitPlan {
  add?: Claimed[];
  remove?: DeviceRef[];
  update?: boolean;
}

export async function runTask(device: SecretDevice, task: Task): Promise<void> {
  const chat = device.state.chats[task.chatId];
  if (!chat || chat.group === null) return;
  if (task.kind === 'add') {
    // Its devices not in the group, and those whose leaf holds another key than the one they
    // publish now (a device that lost its state made a new identity): those are re-added.
    const keys = await device.deviceKeys(task.userId);
    const current = device
      .group(chat)
      .members()
      .filter((m) => {
        const key = m.userId === task.userId ? keys.get(m.deviceId) : undefined;
        return key === undefined || sameBytes(key, m.signatureKey);
      })
      .map((m) => m.deviceId);
    const claimed = await claim(device, [task.userId], current);
    await addClaimed(device, task.chatId, claimed);
  } else {
    const target = { userId: task.userId, deviceId: task.deviceId };
    await commit(device, task.chatId, (group) =>
      group.members().some((m) => sameDevice(m, target)) ? { remove: [target] } : undefined,
    );
  }
}

/** One key package for each device of these users that is not in `except` (nor this one). */
export async function claim(
  device: SecretDevice,
  userIds: string[],
  except: string[],
): Promise<Claimed[]> {
  if (userIds.length === 0) return [];
  const { keyPackages } = await device.client.call('secret.claimKeyPackages', {
    userIds,
    exceptDeviceIds: [...new Set([...except, device.state.deviceId])],
  });
  return keyPackages
    .filter((k) => k.deviceId !== device.state.deviceId && !except.includes(k.deviceId))
    .map((k) => ({
      userId: k.userId,
      deviceId: k.deviceId,
      keyPackage: fromBase64(k.keyPackage),
    }));
}

/** The key a claimed device publishes (its key package carries the same, or auth refuses it). */
async function publishedKey(device: SecretDevice, claim: Claimed): Promise<Uint8Array> {
  return (
    (await device.deviceKeys(claim.userId, claim.deviceId)).get(claim.deviceId) ?? new Uint8Array()
  );
}

/** Commits the adds of claimed packages, at most SECRET_ADDS_PER_COMMIT_MAX to a commit. */
export async function addClaimed(
  device: SecretDevice,
  chatId: string,
  claimed: Claimed[],
): Promise<void> {
  for (let i = 0; i < claimed.length; i += LIMITS.SECRET_ADDS_PER_COMMIT_MAX) {
    const batch = claimed.slice(i, i + LIMITS.SECRET_ADDS_PER_COMMIT_MAX);
    await commit(device, chatId, async (group) => {
      const add: Claimed[] = [];
      const remove: DeviceRef[] = [];
      for (const claim of batch) {
        const member = group.members().find((m) => sameDevice(m, claim));
        // Another member may have added it while we were catching up.
        if (member === undefined) add.push(claim);
        else if (!sameBytes(member.signatureKey, await publishedKey(device, claim))) {
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
export async function commit(
  device: SecretDevice,
  chatId: string,
  plan: (group: SecretGroup) => CommitPlan | undefined | Promise<CommitPlan | undefined>,
): Promise<void> {
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    const chat = device.openChat(chatId);
    const group = device.group(chat);
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
      await device.client.call('secret.commit', {
        chatId,
        epoch: group.epoch,
        commit: toBase64(result.commit),
        ...(result.welcome && { welcome: toBase64(result.welcome) }),
        adds: add.map(({ userId, deviceId }) => ({ userId, deviceId })),
        removes: remove.map(({ userId, deviceId }) => ({ userId, deviceId })),
      });
    } catch (error) {
      if (error instanceof TokkiError && error.code === 'SECRET_EPOCH_STALE') {
        await catchUp(device);
        continue;
      }
      throw error;
    }
    device.setGroup(chat, result.group);
    if (next.update) chat.keysUpdatedAt = device.clock.now();
    await device.save();
    device.emitter.emit('members', {
      chatId,
      added: add.map(({ userId, deviceId }) => ({ userId, deviceId })),
      removed: remove,
      by: device.device,
    });
    return;
  }
  throw new SecretError('TOO_MANY_RETRIES', 'The group kept moving on; try again', { chatId });
}

export async function sendContent(
  device: SecretDevice,
  chatId: string,
  content: SecretContent,
): Promise<SecretMessage> {
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    const chat = device.openChat(chatId);
    const group = device.group(chat);
    const { data, group: next } = await group.encrypt(encodeContent(content));
    const outgoing = { data: toBase64(data), content };
    // The ratchet moved: saved before the ciphertext leaves, so no key is ever used twice. The
    // message waits in the outbox until the server's answer (or its update) gives it a seq.
    device.setGroup(chat, next);
    chat.outbox = [...(chat.outbox ?? []), outgoing];
    await device.save();
    let sent: { seq: number; expiresAt: number };
    try {
      sent = await device.client.call('secret.send', {
        chatId,
        epoch: group.epoch,
        data: outgoing.data,
      });
    } catch (error) {
      // Unanswered, it may have been stored: its update will tell (see applyMessage in ./sync.ts).
      if (isConnectionError(error)) throw error;
      chat.outbox = chat.outbox.filter((o) => o !== outgoing);
      await device.save();
      if (error instanceof TokkiError && error.code === 'SECRET_EPOCH_STALE') {
        await catchUp(device);
        continue;
      }
      if (error instanceof TokkiError && error.code === 'SECRET_REMOVAL_PENDING') {
        await removeRevoked(device, chatId);
        continue;
      }
      throw error;
    }
    return storeSent(device, chat, outgoing, sent.seq, device.clock.now());
  }
  throw new SecretError('TOO_MANY_RETRIES', 'The group kept moving on; try again', { chatId });
}

/** Commits the removal of the chat's revoked devices (the server refuses sends until then). */
async function removeRevoked(device: SecretDevice, chatId: string): Promise<void> {
  const { devices } = await device.client.call('secret.group', { chatId });
  const revoked = devices
    .filter((d) => d.revoked)
    .map(({ userId, deviceId }) => ({ userId, deviceId }));
  await commit(device, chatId, (group) => {
    const remove = revoked.filter((d) => group.members().some((m) => sameDevice(m, d)));
    return remove.length > 0 ? { remove } : undefined;
  });
}

export async function updateKeys(device: SecretDevice, chatId: string): Promise<void> {
  await commit(device, chatId, () => ({ update: true }));
}

export async function updateStaleKeys(device: SecretDevice, intervalMs: number): Promise<void> {
  const due = device.clock.now() - intervalMs;
  for (const chat of Object.values(device.state.chats)) {
    if (chat.group === null || chat.keysUpdatedAt > due) continue;
    try {
      await updateKeys(device, chat.chatId);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      device.emitError(error, 'COMMIT_FAILED', chat.chatId);
    }
  }
}
