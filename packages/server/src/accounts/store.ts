import type { Kysely } from 'kysely';
import type {
  DatabaseSchema,
  DevicesTable,
  UsersTable,
  VerificationCodesTable,
} from '../db/schema.js';
import type { PhotoSize } from './photos.js';

type Db = Kysely<DatabaseSchema>;

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

export function findUserByTokkiId(db: Db, tokkiId: string) {
  return db.selectFrom('users').selectAll().where('tokki_id', '=', tokkiId).executeTakeFirst();
}

export function findUsersByPhoneHashes(db: Db, hashes: readonly string[]) {
  if (hashes.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('phone_hash', 'in', hashes).execute();
}

export async function insertUser(db: Db, user: UsersTable): Promise<void> {
  await db.insertInto('users').values(user).execute();
}

export async function updateUser(
  db: Db,
  id: string,
  set: Partial<Pick<UsersTable, 'display_name' | 'status_message' | 'tokki_id' | 'photo_id'>>,
): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

/** One user whose number has a hash, to tell whether the key it was made with is the current one. */
export function anyHashedPhone(db: Db) {
  return db
    .selectFrom('users')
    .select(['phone', 'phone_hash'])
    .where('phone_hash', 'is not', null)
    .limit(1)
    .executeTakeFirst();
}

export async function forgetPhoneHashes(db: Db): Promise<void> {
  await db.updateTable('users').set({ phone_hash: null }).execute();
}

export function usersWithoutPhoneHash(db: Db, limit: number) {
  return db
    .selectFrom('users')
    .select(['id', 'phone'])
    .where('phone_hash', 'is', null)
    .limit(limit)
    .execute();
}

export async function setPhoneHash(db: Db, id: string, hash: string): Promise<void> {
  await db.updateTable('users').set({ phone_hash: hash }).where('id', '=', id).execute();
}

/** Stores the pending code of a number, replacing one pending before. */
export async function putVerificationCode(
  db: Db,
  phone: string,
  code: Omit<VerificationCodesTable, 'phone'>,
): Promise<void> {
  await db
    .insertInto('verification_codes')
    .values({ phone, ...code })
    .onConflict((oc) => oc.column('phone').doUpdateSet(code))
    .execute();
}

export function findVerificationCode(db: Db, phone: string) {
  return db
    .selectFrom('verification_codes')
    .selectAll()
    .where('phone', '=', phone)
    .executeTakeFirst();
}

export async function setVerificationAttempts(
  db: Db,
  phone: string,
  attempts: number,
): Promise<void> {
  await db.updateTable('verification_codes').set({ attempts }).where('phone', '=', phone).execute();
}

export async function deleteVerificationCode(db: Db, phone: string): Promise<void> {
  await db.deleteFrom('verification_codes').where('phone', '=', phone).execute();
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

export async function insertDevice(db: Db, device: DevicesTable): Promise<void> {
  await db.insertInto('devices').values(device).execute();
}

/** Revokes one of the user's active devices; false if there is none by that id. */
export async function revokeDevice(
  db: Db,
  userId: string,
  deviceId: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set({ revoked_at: now })
    .where('id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function touchDevice(db: Db, deviceId: string, now: number): Promise<void> {
  await db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', deviceId).execute();
}

export async function insertProfilePhoto(
  db: Db,
  photo: { id: string; user_id: string; large: Buffer; small: Buffer; created_at: number },
): Promise<void> {
  await db.insertInto('profile_photos').values(photo).execute();
}

/** Deletes the user's profile pictures other than `keepId` (all of them when null). */
export async function deleteProfilePhotos(
  db: Db,
  userId: string,
  keepId: string | null,
): Promise<void> {
  let query = db.deleteFrom('profile_photos').where('user_id', '=', userId);
  if (keepId !== null) query = query.where('id', '<>', keepId);
  await query.execute();
}

export async function findProfilePhoto(
  db: Db,
  id: string,
  size: PhotoSize,
): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('profile_photos')
    .select(size)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.[size];
}
