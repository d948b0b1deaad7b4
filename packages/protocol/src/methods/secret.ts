import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Base64, Chat, DeviceRef, Epoch, Id, SecretDevice, Seq, Timestamp } from '../models.js';
import { method, Ok, Params } from './define.js';

const UserIds = Type.Array(Id, { minItems: 1, maxItems: LIMITS.SECRET_USERS_PER_CALL_MAX });
const KeyPackage = Base64(LIMITS.SECRET_KEY_PACKAGE_BYTES_MAX);

/**
 * Secret chats: the server as MLS's delivery service (docs/adr/008-secret-chats.md). It stores and
 * routes ciphertexts, hands out key packages, and orders each group's commits; it reads no
 * content and cannot make itself a member.
 */
export const secretMethods = {
  'secret.publishIdentity': method({
    summary:
      "Publish the calling device's identity key (its Ed25519 MLS signature key). A different key replaces it and drops the device's unused key packages.",
    params: Params({ signatureKey: Base64(32) }),
    result: Ok,
  }),
  'secret.devices': method({
    summary:
      "The published identity keys of these users' devices: the directory clients authenticate MLS credentials against.",
    params: Params({ userIds: UserIds }),
    result: Type.Object({ devices: Type.Array(SecretDevice) }),
  }),
  'secret.uploadKeyPackages': method({
    summary:
      "Add one-time key packages of the calling device, and optionally replace its last-resort one. Each must carry the caller's own credential and identity key.",
    params: Params({
      keyPackages: Type.Array(KeyPackage, { maxItems: LIMITS.SECRET_KEY_PACKAGES_MAX }),
      lastResort: Type.Optional(KeyPackage),
    }),
    result: Type.Object({ remaining: Type.Integer({ minimum: 0 }) }),
  }),
  'secret.claimKeyPackages': method({
    summary:
      "One key package for each device of these users (the caller's own other devices included): a one-time package, handed out once, or the last-resort one when none is left.",
    params: Params({
      userIds: UserIds,
      /** Devices already in the group, not to claim for. */
      exceptDeviceIds: Type.Optional(Type.Array(Id, { maxItems: LIMITS.SECRET_GROUP_DEVICES_MAX })),
    }),
    result: Type.Object({
      keyPackages: Type.Array(Type.Object({ userId: Id, deviceId: Id, keyPackage: KeyPackage })),
    }),
  }),
  'secret.create': method({
    summary:
      "A new secret chat whose MLS group (created on the caller's device, epoch 0) holds the caller's device; members join by the commits that add their devices.",
    params: Params({
      /** The MLS group id the caller's client chose (random, 16 to 32 bytes). */
      groupId: Base64(32),
      /** A group's title; empty for a 1:1 secret chat. */
      title: Type.Optional(Type.String({ maxLength: LIMITS.CHAT_TITLE_MAX })),
    }),
    result: Chat,
  }),
  'secret.group': method({
    summary:
      "The server's view of a secret chat's group: its current epoch and the devices that are leaves.",
    params: Params({ chatId: Id }),
    result: Type.Object({
      epoch: Epoch,
      devices: Type.Array(Type.Composite([DeviceRef, Type.Object({ revoked: Type.Boolean() })])),
    }),
  }),
  'secret.commit': method({
    summary:
      'Move the group to the next epoch: an MLS commit for the current epoch (else SECRET_EPOCH_STALE with the current one), and the Welcome for the devices it adds.',
    params: Params({
      chatId: Id,
      /** The epoch the commit was made in: the group's current epoch. */
      epoch: Epoch,
      commit: Base64(LIMITS.SECRET_HANDSHAKE_BYTES_MAX),
      welcome: Type.Optional(Base64(LIMITS.SECRET_HANDSHAKE_BYTES_MAX)),
      /** Devices the commit adds, each with a key package claimed for it. */
      adds: Type.Array(DeviceRef, { maxItems: LIMITS.SECRET_ADDS_PER_COMMIT_MAX }),
      /** Devices the commit removes (leaves now). */
      removes: Type.Array(DeviceRef, { maxItems: LIMITS.SECRET_GROUP_DEVICES_MAX }),
    }),
    result: Type.Object({ epoch: Epoch }),
  }),
  'secret.send': method({
    summary:
      "Send an MLS application message (ciphertext) in the group's current epoch. The server keeps it until every device has it, or until its TTL.",
    params: Params({
      chatId: Id,
      epoch: Epoch,
      data: Base64(LIMITS.SECRET_MESSAGE_BYTES_MAX),
    }),
    result: Type.Object({ seq: Seq, expiresAt: Timestamp }),
  }),
  'secret.ack': method({
    summary:
      'The calling device holds every message of the chat up to seq: the server may drop its copies once every device has said so.',
    params: Params({ chatId: Id, seq: Seq }),
    result: Ok,
  }),
} as const;
