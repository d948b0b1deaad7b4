import type { Kysely } from 'kysely';
import type { BlocksTable, ContactsTable, DatabaseSchema, FriendsTable } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

export function contactsOf(db: Db, ownerId: string, hashes: readonly string[]) {
  if (hashes.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('contacts')
    .select(['phone_hash', 'name'])
    .where('owner_id', '=', ownerId)
    .where('phone_hash', 'in', hashes)
    .execute();
}

/** Rows at most per insert, well under both databases' bound-parameter limits. */
const INSERT_CHUNK = 500;

export async function insertContacts(db: Db, rows: readonly ContactsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('contacts')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

export async function renameContact(
  db: Db,
  ownerId: string,
  hash: string,
  name: string | null,
): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ name })
    .where('owner_id', '=', ownerId)
    .where('phone_hash', '=', hash)
    .execute();
}

/** Deletes the owner's contacts with these hashes; how many there were. */
export async function deleteContacts(
  db: Db,
  ownerId: string,
  hashes: readonly string[],
): Promise<number> {
  if (hashes.length === 0) return 0;
  const result = await db
    .deleteFrom('contacts')
    .where('owner_id', '=', ownerId)
    .where('phone_hash', 'in', hashes)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Whether `ownerId` has the number behind `hash` in their address book. */
export async function hasContact(db: Db, ownerId: string, hash: string): Promise<boolean> {
  const row = await db
    .selectFrom('contacts')
    .select('owner_id')
    .where('owner_id', '=', ownerId)
    .where('phone_hash', '=', hash)
    .executeTakeFirst();
  return row !== undefined;
}

/** Who has the number behind `hash`, with the name each gave it and since when. */
export function ownersOf(db: Db, hash: string) {
  return db
    .selectFrom('contacts')
    .select(['owner_id', 'name', 'created_at'])
    .where('phone_hash', '=', hash)
    .execute();
}

export function findFriend(db: Db, ownerId: string, friendId: string) {
  return db
    .selectFrom('friends')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('friend_id', '=', friendId)
    .executeTakeFirst();
}

export async function countFriends(db: Db, ownerId: string): Promise<number> {
  const row = await db
    .selectFrom('friends')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The owner's friends, without those the owner blocked. */
export function listFriends(db: Db, ownerId: string) {
  return db
    .selectFrom('friends as f')
    .selectAll('f')
    .where('f.owner_id', '=', ownerId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('blocks as b')
            .select('b.owner_id')
            .where('b.owner_id', '=', ownerId)
            .whereRef('b.blocked_id', '=', 'f.friend_id'),
        ),
      ),
    )
    .execute();
}

export async function insertFriend(db: Db, row: FriendsTable): Promise<void> {
  await db
    .insertInto('friends')
    .values(row)
    .onConflict((oc) => oc.columns(['owner_id', 'friend_id']).doNothing())
    .execute();
}

export async function updateFriend(
  db: Db,
  ownerId: string,
  friendId: string,
  set: Partial<Pick<FriendsTable, 'favorite' | 'hidden' | 'contact_name'>>,
): Promise<void> {
  await db
    .updateTable('friends')
    .set(set)
    .where('owner_id', '=', ownerId)
    .where('friend_id', '=', friendId)
    .execute();
}

/** Users who have `userId` as a friend, less those `userId` blocked: who sees their profile. */
export async function audienceOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('friends as f')
    .select('f.owner_id')
    .where('f.friend_id', '=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('blocks as b')
            .select('b.owner_id')
            .where('b.owner_id', '=', userId)
            .whereRef('b.blocked_id', '=', 'f.owner_id'),
        ),
      ),
    )
    .execute();
  return rows.map((row) => row.owner_id);
}

export function findBlock(db: Db, ownerId: string, blockedId: string) {
  return db
    .selectFrom('blocks')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('blocked_id', '=', blockedId)
    .executeTakeFirst();
}

export async function insertBlock(db: Db, row: BlocksTable): Promise<void> {
  await db.insertInto('blocks').values(row).execute();
}

/** Removes a block; false if there was none. */
export async function deleteBlock(db: Db, ownerId: string, blockedId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('blocks')
    .where('owner_id', '=', ownerId)
    .where('blocked_id', '=', blockedId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Of `ownerIds`, the blocks they hold against `blockedId`. */
export function blocksAgainst(
  db: Db,
  blockedId: string,
  ownerIds: readonly string[],
): Promise<BlocksTable[]> {
  if (ownerIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('blocks')
    .selectAll()
    .where('blocked_id', '=', blockedId)
    .where('owner_id', 'in', ownerIds)
    .execute();
}

/** Of the pairs (one of `ownerIds`, one of `otherIds`), those where the owner has the other as a friend. */
export function friendPairs(db: Db, ownerIds: readonly string[], otherIds: readonly string[]) {
  if (ownerIds.length === 0 || otherIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('friends')
    .select(['owner_id', 'friend_id as other_id'])
    .where('owner_id', 'in', ownerIds)
    .where('friend_id', 'in', otherIds)
    .execute();
}

/** The same for blocks: those where the owner blocked the other. */
export function blockPairs(db: Db, ownerIds: readonly string[], otherIds: readonly string[]) {
  if (ownerIds.length === 0 || otherIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('blocks')
    .select(['owner_id', 'blocked_id as other_id'])
    .where('owner_id', 'in', ownerIds)
    .where('blocked_id', 'in', otherIds)
    .execute();
}

export function blockedBy(db: Db, ownerId: string) {
  return db
    .selectFrom('blocks')
    .select(['blocked_id', 'created_at'])
    .where('owner_id', '=', ownerId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function insertDismissal(
  db: Db,
  ownerId: string,
  userId: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('recommendation_dismissals')
    .values({ owner_id: ownerId, user_id: userId, created_at: now })
    .onConflict((oc) => oc.columns(['owner_id', 'user_id']).doNothing())
    .execute();
}

/** Whether `ownerId` asked never to be recommended `userId`. */
export async function isDismissed(db: Db, ownerId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('recommendation_dismissals')
    .select('owner_id')
    .where('owner_id', '=', ownerId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Recommended friends: users with `hash` (the owner's number) in their address book, who are
 * not the owner's friends, not blocked either way and not dismissed; newest first.
 */
export function recommendationsFor(db: Db, ownerId: string, hash: string) {
  return db
    .selectFrom('contacts as c')
    .select(['c.owner_id as user_id', 'c.created_at'])
    .where('c.phone_hash', '=', hash)
    .where('c.owner_id', '!=', ownerId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('friends as f')
            .select('f.owner_id')
            .where('f.owner_id', '=', ownerId)
            .whereRef('f.friend_id', '=', 'c.owner_id'),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('blocks as b')
            .select('b.owner_id')
            .where((b) =>
              b.or([
                b.and([b('b.owner_id', '=', ownerId), b('b.blocked_id', '=', b.ref('c.owner_id'))]),
                b.and([b('b.owner_id', '=', b.ref('c.owner_id')), b('b.blocked_id', '=', ownerId)]),
              ]),
            ),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('recommendation_dismissals as d')
            .select('d.owner_id')
            .where('d.owner_id', '=', ownerId)
            .whereRef('d.user_id', '=', 'c.owner_id'),
        ),
      ),
    )
    .orderBy('c.created_at', 'desc')
    .execute();
}
