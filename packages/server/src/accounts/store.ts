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

/** Adds a pending code for a number; those pending before stay valid until they expire. */
export async function insertVerificationCode(db: Db, code: VerificationCodesTable): Promise<void> {
  await db.insertInto('verification_codes').values(code).execute();
}

/** Every code stored for a number, expired or not, oldest first. */
export function verificationCodes(db: Db, phone: string) {
  return db
    .selectFrom('verification_codes')
    .selectAll()
    .where('phone', '=', phone)
    .orderBy('created_at')
    .execute();
}

/** Counts a wrong code against each of the given codes (it was tried against all of them). */
export async function addVerificationAttempt(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('verification_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', ids)
    .execute();
}

export async function deleteVerificationCode(db: Db, id: string): Promise<void> {
  await db.deleteFrom('verification_codes').where('id', '=', id).execute();
}

/** Drops every code of a number: one sign-in uses them all up. */
export async function deleteVerificationCodes(db: Db, phone: string): Promise<void> {
  await db.deleteFrom('verification_codes').where('phone', '=', phone).execute();
}

/** Deletes expired codes of every number. Returns how many went. */
export async function pruneVerificationCodes(db: Db, now: number): Promise<number> {
  const result = await db
    .deleteFrom('verification_codes')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
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
