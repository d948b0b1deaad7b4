import type { Kysely } from 'kysely';
import type { Device, Me, User } from '@tokki/protocol';
import type { DatabaseSchema, DevicesTable, UsersTable } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

export const toUser = (row: UsersTable): User => ({
  id: row.id,
  displayName: row.display_name,
  statusMessage: row.status_message,
  photo: row.photo_id,
});

export const toMe = (row: UsersTable): Me => ({
  ...toUser(row),
  phone: row.phone,
  tokkiId: row.tokki_id,
});

export const toDevice = (row: DevicesTable, currentDeviceId: string): Device => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  current: row.id === currentDeviceId,
});

export function findUserById(db: Db, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByPhone(db: Db, phone: string) {
  return db.selectFrom('users').selectAll().where('phone', '=', phone).executeTakeFirst();
}

export function findUsersByIds(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

export function findDevice(db: Db, id: string) {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listActiveDevices(db: Db, userId: string) {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

export function findUserByTokkiId(db: Db, tokkiId: string) {
  return db.selectFrom('users').selectAll().where('tokki_id', '=', tokkiId).executeTakeFirst();
}

export function findUsersByPhoneHashes(db: Db, hashes: readonly string[]) {
  if (hashes.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('phone_hash', 'in', hashes).execute();
}
