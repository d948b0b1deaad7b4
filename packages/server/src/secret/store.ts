import type { Kysely } from 'kysely';
import type {
  DatabaseSchema,
  SecretGroupDevicesTable,
  SecretGroupsTable,
  SecretIdentitiesTable,
  SecretKeyPackagesTable,
  SecretMessagesTable,
} from '../db/schema.js';

// The secret domain's queries, over its tables: secret_identities, secret_key_packages,
// secret_claims, secret_groups, secret_group_devices, secret_messages.

type Db = Kysely<DatabaseSchema>;

// Identities

export function findIdentity(db: Db, deviceId: string) {
  return db
    .selectFrom('secret_identities')
    .selectAll()
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
}

export function identitiesOf(db: Db, userIds: readonly string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('secret_identities')
    .selectAll()
    .where('user_id', 'in', userIds)
    .orderBy('user_id')
    .orderBy('device_id')
    .execute();
}

export async function saveIdentity(db: Db, identity: SecretIdentitiesTable): Promise<void> {
  await db
    .insertInto('secret_identities')
    .values(identity)
    .onConflict((oc) =>
      oc.column('device_id').doUpdateSet({
        signature_key: identity.signature_key,
        published_at: identity.published_at,
      }),
    )
    .execute();
}

/** A revoked device's identity, key packages and the claims on them: nothing of it is left. */
export async function forgetDevice(db: Db, deviceId: string): Promise<void> {
  await db.deleteFrom('secret_identities').where('device_id', '=', deviceId).execute();
  await dropKeyPackages(db, deviceId);
  await db.deleteFrom('secret_claims').where('device_id', '=', deviceId).execute();
}

// Key packages

export async function dropKeyPackages(db: Db, deviceId: string): Promise<void> {
  await db.deleteFrom('secret_key_packages').where('device_id', '=', deviceId).execute();
}

export async function insertKeyPackages(
  db: Db,
  packages: readonly SecretKeyPackagesTable[],
): Promise<void> {
  if (packages.length === 0) return;
  await db
    .insertInto('secret_key_packages')
    .values([...packages])
    .onConflict((oc) => oc.columns(['device_id', 'ref']).doNothing())
    .execute();
}

export async function dropLastResort(db: Db, deviceId: string): Promise<void> {
  await db
    .deleteFrom('secret_key_packages')
    .where('device_id', '=', deviceId)
    .where('last_resort', '=', 1)
    .execute();
}

/** The device's one-time key packages, oldest first. */
export function oneTimeRefs(db: Db, deviceId: string) {
  return db
    .selectFrom('secret_key_packages')
    .select('ref')
    .where('device_id', '=', deviceId)
    .where('last_resort', '=', 0)
    .orderBy('created_at')
    .orderBy('ref')
    .execute()
    .then((rows) => rows.map((row) => row.ref));
}

export async function dropKeyPackage(db: Db, deviceId: string, ref: string): Promise<number> {
  const result = await db
    .deleteFrom('secret_key_packages')
    .where('device_id', '=', deviceId)
    .where('ref', '=', ref)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The device's oldest one-time key package, if any. */
export function oldestOneTime(db: Db, deviceId: string) {
  return db
    .selectFrom('secret_key_packages')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('last_resort', '=', 0)
    .orderBy('created_at')
    .orderBy('ref')
    .limit(1)
    .executeTakeFirst();
}

export function lastResortOf(db: Db, deviceId: string) {
  return db
    .selectFrom('secret_key_packages')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('last_resort', '=', 1)
    .executeTakeFirst();
}

// Claims

export async function recordClaim(
  db: Db,
  claimerId: string,
  deviceId: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('secret_claims')
    .values({ claimer_id: claimerId, device_id: deviceId, claimed_at: now })
    .onConflict((oc) => oc.columns(['claimer_id', 'device_id']).doUpdateSet({ claimed_at: now }))
    .execute();
}

/** Of `deviceIds`, those `claimerId` has claimed a key package of and not yet added. */
export async function claimedAmong(
  db: Db,
  claimerId: string,
  deviceIds: readonly string[],
): Promise<Set<string>> {
  if (deviceIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('secret_claims')
    .select('device_id')
    .where('claimer_id', '=', claimerId)
    .where('device_id', 'in', deviceIds)
    .execute();
  return new Set(rows.map((row) => row.device_id));
}

export async function consumeClaims(
  db: Db,
  claimerId: string,
  deviceIds: readonly string[],
): Promise<void> {
  if (deviceIds.length === 0) return;
  await db
    .deleteFrom('secret_claims')
    .where('claimer_id', '=', claimerId)
    .where('device_id', 'in', deviceIds)
    .execute();
}

// Groups and their leaves

export function findGroup(db: Db, chatId: string) {
  return db
    .selectFrom('secret_groups')
    .selectAll()
    .where('chat_id', '=', chatId)
    .executeTakeFirst();
}

export async function groupIdTaken(db: Db, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('secret_groups')
    .select('chat_id')
    .where('group_id', '=', groupId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertGroup(db: Db, group: SecretGroupsTable): Promise<void> {
  await db.insertInto('secret_groups').values(group).execute();
}

/**
 * Moves the group from `epoch` to the next, only if it is still at `epoch`: of two commits for
 * one epoch, on one node or two on one database, the second finds no row to update.
 */
export async function advanceEpoch(db: Db, chatId: string, epoch: number): Promise<boolean> {
  const result = await db
    .updateTable('secret_groups')
    .set({ epoch: epoch + 1 })
    .where('chat_id', '=', chatId)
    .where('epoch', '=', epoch)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function groupDevices(db: Db, chatId: string) {
  return db
    .selectFrom('secret_group_devices')
    .selectAll()
    .where('chat_id', '=', chatId)
    .orderBy('added_at')
    .orderBy('device_id')
    .execute();
}

export function findGroupDevice(db: Db, chatId: string, deviceId: string) {
  return db
    .selectFrom('secret_group_devices')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
}

/** The groups a device is a leaf of. */
export function groupsOfDevice(db: Db, deviceId: string) {
  return db
    .selectFrom('secret_group_devices')
    .selectAll()
    .where('device_id', '=', deviceId)
    .execute();
}

export async function insertGroupDevices(
  db: Db,
  devices: readonly SecretGroupDevicesTable[],
): Promise<void> {
  if (devices.length === 0) return;
  await db
    .insertInto('secret_group_devices')
    .values([...devices])
    .execute();
}

export async function deleteGroupDevices(
  db: Db,
  chatId: string,
  deviceIds: readonly string[],
): Promise<void> {
  if (deviceIds.length === 0) return;
  await db
    .deleteFrom('secret_group_devices')
    .where('chat_id', '=', chatId)
    .where('device_id', 'in', deviceIds)
    .execute();
}

export async function markRevoked(db: Db, chatId: string, deviceId: string): Promise<void> {
  await db
    .updateTable('secret_group_devices')
    .set({ revoked: 1 })
    .where('chat_id', '=', chatId)
    .where('device_id', '=', deviceId)
    .execute();
}

/** Moves a device's acknowledged seq forward (never back). */
export async function ack(db: Db, chatId: string, deviceId: string, seq: number): Promise<void> {
  await db
    .updateTable('secret_group_devices')
    .set({ acked_seq: seq })
    .where('chat_id', '=', chatId)
    .where('device_id', '=', deviceId)
    .where('acked_seq', '<', seq)
    .execute();
}

/** The least seq every device of the group that is not revoked holds; undefined for none. */
export async function ackedByAll(db: Db, chatId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('secret_group_devices')
    .select((eb) => eb.fn.min<number>('acked_seq').as('seq'))
    .where('chat_id', '=', chatId)
    .where('revoked', '=', 0)
    .executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq);
}

// Messages held

export async function insertMessage(db: Db, message: SecretMessagesTable): Promise<void> {
  await db.insertInto('secret_messages').values(message).execute();
}

export function messagesThrough(db: Db, chatId: string, seq: number) {
  return db
    .selectFrom('secret_messages')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('seq', '<=', seq)
    .execute();
}

export function expiredMessages(db: Db, now: number, limit: number) {
  return db
    .selectFrom('secret_messages')
    .selectAll()
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}

/** Deletes a held message; whether it was still there (another node's sweep may have been first). */
export async function deleteMessage(db: Db, chatId: string, seq: number): Promise<boolean> {
  const result = await db
    .deleteFrom('secret_messages')
    .where('chat_id', '=', chatId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
