import { sql, type Kysely } from 'kysely';
import type { ChatKind } from '@tokki/protocol';
import type {
  ChatInvitesTable,
  ChatMembersTable,
  ChatsTable,
  DatabaseSchema,
  OpenChatsTable,
} from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';

// The chats domain's queries, over its tables: chats, chat_members, chat_invites, open_chats.

type Db = Kysely<DatabaseSchema>;

/**
 * Of `otherIds`, those in a chat of one of `kinds` with `userId`, both members now. Never open
 * chats, where members are known by their room profile only.
 */
export async function chatMatesAmong(
  db: Db,
  userId: string,
  otherIds: readonly string[],
  kinds: readonly Exclude<ChatKind, 'open'>[],
): Promise<string[]> {
  if (otherIds.length === 0) return [];
  const rows = await db
    .selectFrom('chat_members as mine')
    .innerJoin('chats as c', 'c.id', 'mine.chat_id')
    .innerJoin('chat_members as theirs', 'theirs.chat_id', 'mine.chat_id')
    .select('theirs.user_id')
    .distinct()
    .where('mine.user_id', '=', userId)
    .where('mine.left_pts', 'is', null)
    .where('c.kind', 'in', kinds)
    .where('theirs.user_id', 'in', otherIds)
    .where('theirs.left_pts', 'is', null)
    .execute();
  return rows.map((row) => row.user_id);
}

/** The direct chats with these keys: id and key of each that exists. */
export function directChatsByKey(db: Db, directKeys: readonly string[]) {
  if (directKeys.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('chats')
    .select(['id', 'direct_key'])
    .where('direct_key', 'in', directKeys)
    .execute();
}

export function findChat(db: Db, chatId: string) {
  return db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirst();
}

export async function findDirectChatId(db: Db, directKey: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('chats')
    .select('id')
    .where('direct_key', '=', directKey)
    .executeTakeFirst();
  return row?.id;
}

export async function insertChat(db: Db, chat: ChatsTable): Promise<void> {
  await db.insertInto('chats').values(chat).execute();
}

export async function updateChat(db: Db, chatId: string, change: Partial<ChatsTable>) {
  await db.updateTable('chats').set(change).where('id', '=', chatId).execute();
}

export async function pinnedSeq(db: Db, chatId: string): Promise<number | null> {
  const row = await db
    .selectFrom('chats')
    .select('pinned_seq')
    .where('id', '=', chatId)
    .executeTakeFirst();
  return row?.pinned_seq ?? null;
}

/** The same, inside a write: every send checks it, so it is a plain prepared statement. */
export function findMembershipForWrite(sql: SqlRunner, chatId: string, userId: string) {
  return sql.get<ChatMembersTable>('select * from chat_members where chat_id = ? and user_id = ?', [
    chatId,
    userId,
  ]);
}

/** Whether the chat exists, read with the write's plain SQL. */
export async function chatExists(sql: SqlRunner, chatId: string): Promise<boolean> {
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

/** Of `userIds`, the memberships they have or had in a chat. */
export function findMemberships(db: Db, chatId: string, userIds: readonly string[]) {
  return db
    .selectFrom('chat_members')
    .select(['user_id', 'left_pts', 'profile_id', 'banned'])
    .where('chat_id', '=', chatId)
    .where('user_id', 'in', userIds)
    .execute();
}

export async function insertMembers(db: Db, members: ChatMembersTable[]): Promise<void> {
  await db.insertInto('chat_members').values(members).execute();
}

export async function updateMembers(
  db: Db,
  chatId: string,
  userIds: readonly string[],
  change: Partial<ChatMembersTable>,
): Promise<void> {
  await db
    .updateTable('chat_members')
    .set(change)
    .where('chat_id', '=', chatId)
    .where('user_id', 'in', userIds)
    .execute();
}

/** Refuses or allows the sends of `userId` in the direct chat of `directKey`, if there is one. */
export async function setSendBlockedInDirectChat(
  db: Db,
  directKey: string,
  userId: string,
  blocked: boolean,
): Promise<void> {
  await db
    .updateTable('chat_members')
    .set({ send_blocked: blocked ? 1 : 0 })
    .where('user_id', '=', userId)
    .where('chat_id', 'in', (eb) =>
      eb.selectFrom('chats').select('id').where('direct_key', '=', directKey),
    )
    .execute();
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

/** The chats a user is a member of now, and the seq they joined after. */
export function currentMemberships(db: Db, userId: string) {
  return db
    .selectFrom('chat_members')
    .select(['chat_id as chatId', 'joined_seq as joinedSeq'])
    .where('user_id', '=', userId)
    .where('left_pts', 'is', null)
    .execute();
}

/** A chat with what its member `userId` sees of their own membership. */
const chatsOfMember = (db: Db, userId: string) =>
  db
    .selectFrom('chat_members as m')
    .innerJoin('chats as c', 'c.id', 'm.chat_id')
    .selectAll('c')
    .select(['m.read_seq', 'm.joined_seq', 'm.muted', 'm.profile_id'])
    .where('m.user_id', '=', userId);

export type ChatOfMember = Awaited<ReturnType<typeof findChatOfMember>>;

export function findChatOfMember(db: Db, chatId: string, userId: string) {
  return chatsOfMember(db, userId).where('c.id', '=', chatId).executeTakeFirstOrThrow();
}

/** A page of the user's chats, most recently active first, after the keyset cursor. */
export function listChatsOfUser(
  db: Db,
  userId: string,
  limit: number,
  after: { lastActivityAt: number; chatId: string } | null,
) {
  let query = chatsOfMember(db, userId).where('m.left_pts', 'is', null);
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
    .selectFrom('chat_members')
    .select(['chat_id', 'user_id'])
    .where('chat_id', 'in', chatIds)
    .where('user_id', '!=', userId)
    .execute();
}

/** A page of a chat's current members, by user id. */
export function membersPage(db: Db, chatId: string, limit: number, afterUserId: string | null) {
  let query = db
    .selectFrom('chat_members')
    .select(['user_id', 'role', 'read_seq', 'joined_seq'])
    .where('chat_id', '=', chatId)
    .where('left_pts', 'is', null);
  if (afterUserId) query = query.where('user_id', '>', afterUserId);
  return query.orderBy('user_id').limit(limit).execute();
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
    .selectFrom('chat_members')
    .select(['user_id', 'profile_id', 'nickname', 'role', 'read_seq', 'joined_seq', 'left_pts'])
    .where('chat_id', '=', chatId)
    .where(by, 'in', ids)
    .orderBy(by)
    .execute();
}

export async function insertInvite(db: Db, invite: ChatInvitesTable): Promise<void> {
  await db.insertInto('chat_invites').values(invite).execute();
}

export async function revokeInvites(db: Db, chatId: string, now: number): Promise<void> {
  await db
    .updateTable('chat_invites')
    .set({ revoked_at: now })
    .where('chat_id', '=', chatId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** The chat of an invite that was not revoked. */
export async function findInviteChatId(db: Db, tokenHash: string): Promise<string | undefined> {
  const invite = await db
    .selectFrom('chat_invites')
    .select('chat_id')
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return invite?.chat_id;
}

export function openSettings(db: Db, chatId: string) {
  return db.selectFrom('open_chats').selectAll().where('chat_id', '=', chatId).executeTakeFirst();
}

export function openSettingsOf(db: Db, chatIds: string[]) {
  if (chatIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('open_chats').selectAll().where('chat_id', 'in', chatIds).execute();
}

export async function insertOpenSettings(db: Db, settings: OpenChatsTable): Promise<void> {
  await db.insertInto('open_chats').values(settings).execute();
}

export async function updateOpenSettings(db: Db, settings: OpenChatsTable): Promise<void> {
  await db
    .updateTable('open_chats')
    .set(settings)
    .where('chat_id', '=', settings.chat_id)
    .execute();
}

/** Listed open chats whose title contains `text` (lower case; every one when empty), biggest first. */
export function searchListedOpenChats(db: Db, text: string, limit: number) {
  let query = db
    .selectFrom('open_chats as o')
    .innerJoin('chats as c', 'c.id', 'o.chat_id')
    .select([
      'o.chat_id',
      'c.title',
      'c.member_count',
      'o.description',
      'o.member_limit',
      'o.listed',
    ])
    .where('o.listed', '=', 1);
  if (text) query = query.where(sql<boolean>`lower(c.title) like ${likePattern(text)} escape '\\'`);
  return query.orderBy('c.member_count', 'desc').orderBy('c.id').limit(limit).execute();
}

/** `%text%` for LIKE, with the pattern's own characters taken literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Of `chatIds`, the secret chats. */
export async function secretChatsAmong(db: Db, chatIds: readonly string[]): Promise<string[]> {
  if (chatIds.length === 0) return [];
  const rows = await db
    .selectFrom('chats')
    .select('id')
    .where('id', 'in', chatIds)
    .where('kind', '=', 'secret')
    .execute();
  return rows.map((row) => row.id);
}
