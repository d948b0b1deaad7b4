import type { Kysely } from 'kysely';
import type { ChatMembersTable, DatabaseSchema } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';

type Db = Kysely<DatabaseSchema>;

export function findChat(db: Db, chatId: string) {
  return db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirst();
}

/** The same, inside a write: every send checks it, so it is a plain prepared statement. */
export function findMembershipForWrite(sql: SqlRunner, chatId: string, userId: string) {
  return sql.get<ChatMembersTable>('select * from chat_members where chat_id = ? and user_id = ?', [
    chatId,
    userId,
  ]);
}

export async function chatExistsForWrite(sql: SqlRunner, chatId: string): Promise<boolean> {
  return (await sql.get('select 1 from chats where id = ?', [chatId])) !== undefined;
}

/** The caller's membership, present or past. */
export function findMembership(db: Db, chatId: string, userId: string) {
  return db
    .selectFrom('chat_members')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** A member of an open chat by their room profile's id, present or past. */
export function findMembershipByProfile(db: Db, chatId: string, profileId: string) {
  return db
    .selectFrom('chat_members')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
}

/**
 * Who becomes a chat's owner when its owner leaves: its first admin, else its longest member
 * (the earliest join); undefined when no one is left.
 */
export function nextOwner(db: Db, chatId: string) {
  return db
    .selectFrom('chat_members')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('left_pts', 'is', null)
    .orderBy((eb) => eb.case().when('role', '=', 'admin').then(0).else(1).end())
    .orderBy('joined_pts')
    .orderBy('user_id')
    .limit(1)
    .executeTakeFirst();
}

export function openSettings(db: Db, chatId: string) {
  return db.selectFrom('open_chats').selectAll().where('chat_id', '=', chatId).executeTakeFirst();
}

export function openSettingsOf(db: Db, chatIds: string[]) {
  if (chatIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('open_chats').selectAll().where('chat_id', 'in', chatIds).execute();
}

/** A page of an open chat's members as the room knows them, by room profile id. */
export function roomProfilesPage(
  db: Db,
  chatId: string,
  limit: number,
  afterProfileId: string | null,
) {
  let query = db
    .selectFrom('chat_members')
    .select(['profile_id', 'role', 'read_seq', 'joined_seq', 'nickname'])
    .where('chat_id', '=', chatId)
    .where('profile_id', 'is not', null)
    .where('left_pts', 'is', null)
    .$narrowType<{ profile_id: string }>();
  if (afterProfileId) query = query.where('profile_id', '>', afterProfileId);
  return query.orderBy('profile_id').limit(limit).execute();
}

/** Members present or past, by user id or (in an open chat) by room profile id. */
export function membersByIds(
  db: Db,
  chatId: string,
  by: 'user_id' | 'profile_id',
  ids: readonly string[],
) {
  return db
    .selectFrom('chat_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.user_id',
      'm.profile_id',
      'm.nickname',
      'm.role',
      'm.read_seq',
      'm.joined_seq',
      'm.left_pts',
      'u.display_name',
      'u.status_message',
      'u.photo_id',
    ])
    .where('m.chat_id', '=', chatId)
    .where(`m.${by}`, 'in', ids)
    .orderBy(`m.${by}`)
    .execute();
}

/** The chats a user is a member of now. */
export function activeChatIds(db: Db, userId: string) {
  return db
    .selectFrom('chat_members')
    .select('chat_id')
    .where('user_id', '=', userId)
    .where('left_pts', 'is', null)
    .execute()
    .then((rows) => rows.map((row) => row.chat_id));
}

/** A page of the user's chats, most recently active first, after the keyset cursor. */
export function listChatsOfUser(
  db: Db,
  userId: string,
  limit: number,
  after: { lastActivityAt: number; chatId: string } | null,
) {
  let query = db
    .selectFrom('chat_members as m')
    .innerJoin('chats as c', 'c.id', 'm.chat_id')
    .selectAll('c')
    .select(['m.read_seq', 'm.joined_seq', 'm.muted', 'm.profile_id'])
    .where('m.user_id', '=', userId)
    .where('m.left_pts', 'is', null);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('c.last_activity_at', '<', after.lastActivityAt),
        eb.and([
          eb('c.last_activity_at', '=', after.lastActivityAt),
          eb('c.id', '<', after.chatId),
        ]),
      ]),
    );
  }
  return query.orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc').limit(limit).execute();
}

/** For direct chats: the member who is not `userId`. */
export function directPeers(db: Db, chatIds: string[], userId: string) {
  if (chatIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('chat_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.chat_id', 'u.id', 'u.display_name', 'u.status_message', 'u.photo_id'])
    .where('m.chat_id', 'in', chatIds)
    .where('m.user_id', '!=', userId)
    .execute();
}

export function membersPage(db: Db, chatId: string, limit: number, afterUserId: string | null) {
  let query = db
    .selectFrom('chat_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'u.id',
      'u.display_name',
      'u.status_message',
      'u.photo_id',
      'm.role',
      'm.read_seq',
      'm.joined_seq',
    ])
    .where('m.chat_id', '=', chatId)
    .where('m.left_pts', 'is', null);
  if (afterUserId) query = query.where('m.user_id', '>', afterUserId);
  return query.orderBy('m.user_id').limit(limit).execute();
}
