import { decodeContent, SecretGroup, type KeyPackageBundle, type SecretContent } from '@tokki/e2e';
import { LIMITS, type DeviceRef, type Update } from '@tokki/protocol';
import { isConnectionError, isRetryable } from '../errors.js';
import { fromBase64, toBase64 } from './bytes.js';
import { sameDevice, type SecretDevice } from './device.js';
import { SecretError } from './errors.js';
import { insertBySeq } from './history.js';
import type { ChatState, SecretMessage } from './state.js';

// Applying the server's log to a device: secret messages decrypted and stored, commits processed
// or joined by their Welcome, and the commits other updates ask for queued as tasks.

export const isSecretUpdate = (update: Update) => update.kind.startsWith('secret.');

/** Applies every secret update after this device's pts, in order. */
export async function catchUp(device: SecretDevice): Promise<void> {
  for (;;) {
    const difference = await device.client.call('updates.getDifference', {
      pts: device.state.pts,
      limit: LIMITS.DIFFERENCE_PAGE_MAX,
    });
    if (difference.kind === 'tooLong') {
      device.state.pts = difference.pts;
      await device.save();
      device.emitError(
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
      if (pts <= device.state.pts) continue;
      const ack = isSecretUpdate(update) ? await apply(device, update) : undefined;
      device.state.pts = pts;
      if (!isSecretUpdate(update)) {
        dirty = true;
        continue;
      }
      // Stored before the server may drop its copy.
      await device.save();
      dirty = false;
      if (ack) await acknowledge(device, ack.chatId, ack.seq);
    }
    if (difference.pts > device.state.pts) {
      device.state.pts = difference.pts;
      dirty = true;
    }
    if (dirty) await device.save();
    if (difference.final) return;
  }
}

async function acknowledge(device: SecretDevice, chatId: string, seq: number): Promise<void> {
  try {
    await device.client.call('secret.ack', { chatId, seq });
  } catch (error) {
    // The next message's ack covers this one; the server's TTL covers a device that never acks.
    if (!isConnectionError(error)) device.emitError(error, 'ACK_FAILED', chatId, seq);
  }
}

/**
 * Applies one secret update to the state (not saved yet). Returns the message to acknowledge
 * once saved. A failure of the update itself is emitted, not thrown: the log goes on.
 */
async function apply(
  device: SecretDevice,
  update: Update,
): Promise<{ chatId: string; seq: number } | undefined> {
  switch (update.kind) {
    case 'secret.message':
      return applyMessage(device, update);
    case 'secret.commit':
      await applyCommit(device, update);
      return undefined;
    case 'secret.deviceAdded':
      if (device.state.chats[update.chatId]?.group) {
        device.tasks.push({ kind: 'add', chatId: update.chatId, userId: update.userId });
      }
      return undefined;
    case 'secret.deviceRevoked':
      if (device.state.chats[update.chatId]?.group) {
        const { chatId, userId, deviceId } = update;
        device.tasks.push({ kind: 'remove', chatId, userId, deviceId });
      }
      return undefined;
    case 'secret.keyPackagesLow':
      if (update.deviceId === device.state.deviceId) device.topUpWanted = true;
      return undefined;
    default:
      return undefined;
  }
}

async function applyMessage(
  device: SecretDevice,
  update: Extract<Update, { kind: 'secret.message' }>,
): Promise<{ chatId: string; seq: number } | undefined> {
  const chat = device.state.chats[update.chatId];
  if (!chat || chat.group === null) return undefined;
  const ack = { chatId: update.chatId, seq: update.seq };
  // Our own message is stored since it was sent (or waits in the outbox, if the answer to the
  // send was lost); one from before we joined was not for us.
  if (update.deviceId === device.state.deviceId && update.senderId === device.state.userId) {
    const outgoing = chat.outbox?.find((o) => o.data === update.data);
    if (outgoing) await storeSent(device, chat, outgoing, update.seq, update.sentAt);
    return ack;
  }
  if (update.epoch < chat.joinedEpoch || update.data === null) return undefined;
  if (chat.messages.some((m) => m.seq === update.seq)) return ack;
  let plaintext: Uint8Array;
  let sender: DeviceRef;
  try {
    const result = await device.group(chat).process(fromBase64(update.data));
    if (result.kind !== 'application') {
      throw new SecretError('DECRYPT_FAILED', 'Expected an application message, got a commit', {
        chatId: chat.chatId,
        seq: update.seq,
      });
    }
    device.setGroup(chat, result.group);
    plaintext = result.plaintext;
    sender = result.sender;
  } catch (error) {
    // Unreachable server (the key directory): stop here, this update is read again later.
    if (isRetryable(error)) throw error;
    device.emitError(error, 'DECRYPT_FAILED', chat.chatId, update.seq);
    return undefined;
  }
  if (!sameDevice(sender, { userId: update.senderId, deviceId: update.deviceId })) {
    device.emitError(
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
    device.emitError(error, 'DECRYPT_FAILED', chat.chatId, update.seq);
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
    message.readAt = device.clock.now();
  }
  device.emitter.emit('message', message);
  if (content.type === 'timer') {
    device.emitter.emit('timer', { chatId: chat.chatId, timer: content.timer, by: sender });
  }
  return ack;
}

async function applyCommit(
  device: SecretDevice,
  update: Extract<Update, { kind: 'secret.commit' }>,
): Promise<void> {
  const me = device.device;
  const chat = device.state.chats[update.chatId];
  const by = { userId: update.senderId, deviceId: update.deviceId };
  const group = chat?.group ? device.group(chat) : undefined;
  // Added: from the Welcome (also back into a chat we were in, under a new identity key).
  if (update.added.some((d) => sameDevice(d, me)) && (!group || update.epoch > group.epoch)) {
    await join(device, update, by);
    return;
  }
  if (!chat || !group) return;
  // Our own commit (applied when the server took it), or one the Welcome already included.
  if (update.epoch <= group.epoch) return;
  if (update.removed.some((d) => sameDevice(d, me))) {
    chat.group = null;
    device.emitter.emit('closed', { chatId: chat.chatId });
    return;
  }
  try {
    const result = await group.process(fromBase64(update.data));
    if (result.kind !== 'commit') throw new Error('Expected a commit');
    device.setGroup(chat, result.group);
    device.emitter.emit('members', {
      chatId: chat.chatId,
      added: result.added,
      removed: result.removed,
      by,
    });
  } catch (error) {
    // Unreachable server (the key directory): stop here, this update is read again later.
    if (isRetryable(error)) throw error;
    device.emitError(error, 'COMMIT_FAILED', chat.chatId);
  }
}

async function join(
  device: SecretDevice,
  update: Extract<Update, { kind: 'secret.commit' }>,
  by: DeviceRef,
): Promise<void> {
  if (update.welcome === null) return;
  try {
    let used: string | undefined;
    const lookup = (ref: string): KeyPackageBundle | undefined => {
      const stored = device.state.keyPackages[ref];
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
      device.identity,
      fromBase64(update.welcome),
      lookup,
      device.auth(),
    );
    // A one-time package is spent; the last-resort one stays for the next Welcome.
    if (used !== undefined && !device.state.keyPackages[used]?.lastResort) {
      delete device.state.keyPackages[used];
    }
    const previous = device.state.chats[update.chatId];
    device.state.chats[update.chatId] = {
      chatId: update.chatId,
      groupId: toBase64(group.groupId),
      group: toBase64(group.serialize()),
      joinedEpoch: group.epoch,
      timer: previous?.timer ?? 0,
      keysUpdatedAt: device.clock.now(),
      messages: previous?.messages ?? [],
    };
    device.emitter.emit('members', {
      chatId: update.chatId,
      added: update.added,
      removed: update.removed,
      by,
    });
  } catch (error) {
    // Unreachable server (the key directory): stop here, this update is read again later.
    if (isRetryable(error)) throw error;
    device.emitError(error, 'JOIN_FAILED', update.chatId);
  }
}

/** Moves a sent message from the outbox into the history, read (the sender saw it). */
export async function storeSent(
  device: SecretDevice,
  chat: ChatState,
  outgoing: { data: string; content: SecretContent },
  seq: number,
  sentAt: number,
): Promise<SecretMessage> {
  const { content } = outgoing;
  const now = device.clock.now();
  const timer = content.type === 'text' ? content.timer : 0;
  const message: SecretMessage = {
    chatId: chat.chatId,
    seq,
    ...device.device,
    senderId: device.state.userId,
    sentAt,
    content,
    readAt: now,
    ...(timer > 0 && { destroyAt: now + timer * 1000 }),
  };
  chat.outbox = (chat.outbox ?? []).filter((o) => o.data !== outgoing.data);
  if (!chat.messages.some((m) => m.seq === seq)) insertBySeq(chat.messages, message);
  if (content.type === 'timer') chat.timer = content.timer;
  await device.save();
  device.onStored();
  return message;
}
