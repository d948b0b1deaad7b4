import { createHash, randomBytes } from 'node:crypto';
import {
  LIMITS,
  type Chat,
  type InvitePreview,
  type Member,
  type Message,
  type User,
} from '@tokki/protocol';
import type { Bus } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import type { ChatMembersTable, ChatsTable, OpenChatsTable } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { UpdatesService } from '../updates/service.js';
import { decodeCursor, encodeCursor } from '../pagination/cursor.js';
import * as store from './store.js';

/** Looks up the newest message of each chat, from the messages module. */
export type LastMessageLoader = (
  chats: { chatId: string; seq: number }[],
) => Promise<Map<string, Message>>;

/** Profiles as one user may see them (friends/service.ts: a blocker as they were). */
export type ProfileView = (viewerId: string, users: User[]) => Promise<User[]>;

/** Of `userIds`, those who blocked `userId` (inside the write that acts on it). */
export type BlockedByCheck = (w: Writer, userId: string, userIds: string[]) => Promise<string[]>;

type ChatRow = ChatsTable & {
  read_seq: number;
  joined_seq: number;
  muted: number;
  profile_id: string | null;
};

const RANK = { owner: 2, admin: 1, member: 0 } as const;
/** Whether a member of role `actor` may remove one of role `target`. */
const outranks = (actor: keyof typeof RANK, target: keyof typeof RANK) =>
  actor !== 'member' && RANK[actor] > RANK[target];

const toUser = (row: {
  id: string;
  display_name: string;
  status_message: string;
  photo_id: string | null;
}): User => ({
  id: row.id,
  displayName: row.display_name,
  statusMessage: row.status_message,
  photo: row.photo_id,
});

/** Chats and their members: creation, membership, the chat list. */
export class ChatsService {
  private lastMessages: LastMessageLoader = async () => new Map();
  private profileView: ProfileView = async (_viewerId, users) => users;
  private blockedBy: BlockedByCheck = async () => [];

  constructor(
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly bus: Bus,
    private readonly updates: UpdatesService,
  ) {}

  /** Late-bound because messages depend on chats for membership. */
  setLastMessageLoader(loader: LastMessageLoader): void {
    this.lastMessages = loader;
  }

  /** Late-bound because friends depend on chats for blocking in direct chats. */
  setBlocking(view: ProfileView, blockedBy: BlockedByCheck): void {
    this.profileView = view;
    this.blockedBy = blockedBy;
  }

  /**
   * Refuses or allows again the sends of `userId` in their direct chat with `blockerId`, if there
   * is one: the block check of the send path is a column of the membership it reads anyway.
   */
  async setDirectSendBlocked(w: Writer, blockerId: string, userId: string, blocked: boolean) {
    await w.db
      .updateTable('chat_members')
      .set({ send_blocked: blocked ? 1 : 0 })
      .where('user_id', '=', userId)
      .where('chat_id', 'in', (eb) =>
        eb
          .selectFrom('chats')
          .select('id')
          .where('direct_key', '=', directKeyOf(blockerId, userId)),
      )
      .execute();
  }

  /** The pinned message of a chat (messages/service.ts decides what may be pinned). */
  async setPinned(w: Writer, chatId: string, seq: number | null): Promise<void> {
    await w.db.updateTable('chats').set({ pinned_seq: seq }).where('id', '=', chatId).execute();
  }

  async pinnedSeq(w: Writer, chatId: string): Promise<number | null> {
    const row = await w.db
      .selectFrom('chats')
      .select('pinned_seq')
      .where('id', '=', chatId)
      .executeTakeFirst();
    return row?.pinned_seq ?? null;
  }

  /** The chats the user is a member of now (the gateway follows them for the user's devices). */
  activeChatIds(userId: string): Promise<string[]> {
    return store.activeChatIds(this.database.db, userId);
  }

  /**
   * The caller's active membership, read inside a write so that it is current;
   * throws NOT_FOUND for no chat and NOT_MEMBER for someone else's.
   */
  async requireMember(w: Writer | null, chatId: string, userId: string) {
    if (w) return requireMemberForWrite(w.sql, chatId, userId);
    const membership = await store.findMembership(this.database.db, chatId, userId);
    return checkMembership(membership, () => store.findChat(this.database.db, chatId));
  }

  async createDirect(userId: string, peerId: string): Promise<Chat> {
    if (peerId === userId)
      throw new ApiError('INVALID_PARAMS', 'A direct chat needs another user.');
    const directKey = directKeyOf(userId, peerId);
    const chatId = await this.writes.run(async (w) => {
      const existing = await w.db
        .selectFrom('chats')
        .select('id')
        .where('direct_key', '=', directKey)
        .executeTakeFirst();
      if (existing) return existing.id;
      await this.requireUsers(w, [peerId], userId);
      if ((await this.blockedBy(w, peerId, [userId])).length > 0)
        throw new ApiError('CONFLICT', 'You blocked this user: unblock them first.');
      return this.insertChat(w, {
        kind: 'direct',
        title: '',
        directKey,
        ownerId: userId,
        memberIds: [peerId],
      });
    });
    return this.get(userId, chatId);
  }

  async createGroup(userId: string, title: string, memberIds: string[]): Promise<Chat> {
    const others = [...new Set(memberIds)].filter((id) => id !== userId);
    const cleanTitle = title.trim();
    if (!cleanTitle) throw new ApiError('INVALID_PARAMS', 'A group needs a title.');
    const chatId = await this.writes.run(async (w) => {
      await this.requireUsers(w, others, userId);
      return this.insertChat(w, {
        kind: 'group',
        title: cleanTitle,
        directKey: null,
        ownerId: userId,
        memberIds: others,
      });
    });
    return this.get(userId, chatId);
  }

  async addMembers(userId: string, chatId: string, userIds: string[]): Promise<number> {
    return this.writes.run(async (w) => {
      await this.requireMember(w, chatId, userId);
      const chat = await this.requireRoom(w, chatId);
      if (chat.kind === 'open')
        throw new ApiError('BAD_REQUEST', 'People join an open chat themselves, by its link.');
      const wanted = [...new Set(userIds)];
      await this.requireUsers(w, wanted, userId);
      return this.join(w, chat, wanted, userId);
    });
  }

  async leave(userId: string, chatId: string): Promise<void> {
    await this.writes.run(async (w) => {
      const membership = await this.requireMember(w, chatId, userId);
      await this.endMembership(w, chatId, membership);
    });
  }

  /**
   * Removes a member from a group: its owner may remove anyone, an admin only plain members. The
   * removed member gets the `chat.left` (with `byUserId`) like everyone, and nothing after it.
   */
  async removeMember(byUserId: string, chatId: string, memberId: string): Promise<void> {
    await this.writes.run(async (w) => {
      const actor = await this.requireMember(w, chatId, byUserId);
      const chat = await this.requireRoom(w, chatId);
      if (memberId === actorId(actor))
        throw new ApiError('INVALID_PARAMS', 'To leave a group, use chats.leave.');
      const target = await this.requireOtherMember(w, chat, memberId);
      if (!outranks(actor.role, target.role))
        throw new ApiError(
          'FORBIDDEN',
          'Only the owner, and admins for plain members, remove members.',
        );
      await this.endMembership(w, chatId, target, actor);
    });
  }

  /** Makes a member an admin or a plain member again; the group's owner only. */
  async setRole(
    byUserId: string,
    chatId: string,
    userId: string,
    role: 'admin' | 'member',
  ): Promise<void> {
    await this.writes.run(async (w) => {
      const actor = await this.requireMember(w, chatId, byUserId);
      const chat = await this.requireRoom(w, chatId);
      if (actor.role !== 'owner')
        throw new ApiError('FORBIDDEN', 'Only the owner of a group names its admins.');
      const target = await this.requireOtherMember(w, chat, userId);
      if (target.role === 'owner')
        throw new ApiError('INVALID_PARAMS', 'The owner stays the owner.');
      if (target.role === role) return;
      await this.changeRole(w, target, role, actor);
    });
  }

  private async changeRole(
    w: Writer,
    target: ChatMembersTable,
    role: ChatMembersTable['role'],
    by: ChatMembersTable,
  ): Promise<void> {
    await w.db
      .updateTable('chat_members')
      .set({ role })
      .where('chat_id', '=', target.chat_id)
      .where('user_id', '=', target.user_id)
      .execute();
    await this.updates.appendChatUpdate(w, target.chat_id, {
      kind: 'chat.role',
      chatId: target.chat_id,
      userId: actorId(target),
      role,
      byUserId: actorId(by),
    });
  }

  /** A current member other than the caller, by the id the chat knows them by (`actorId`). */
  private async requireOtherMember(w: Writer, chat: ChatsTable, memberId: string) {
    const target =
      chat.kind === 'open'
        ? await store.findMembershipByProfile(w.db, chat.id, memberId)
        : await store.findMembership(w.db, chat.id, memberId);
    if (!target || target.left_pts !== null)
      throw new ApiError('NOT_FOUND', 'No such member in this group.');
    return target;
  }

  /**
   * Adds users to a group or an open chat (back, for those who left): one `chat.joined`; how
   * many joined. Into an open chat one user joins at a time, themselves, under `nickname`.
   */
  async join(
    w: Writer,
    chat: ChatsTable,
    wanted: readonly string[],
    byUserId: string,
    nickname?: string,
  ): Promise<number> {
    const chatId = chat.id;
    const existing = await w.db
      .selectFrom('chat_members')
      .select(['user_id', 'left_pts', 'profile_id', 'banned'])
      .where('chat_id', '=', chatId)
      .where('user_id', 'in', wanted)
      .execute();
    if (existing.some((m) => m.banned))
      throw new ApiError('FORBIDDEN', 'You were removed from this open chat.');
    const active = new Set(existing.filter((m) => m.left_pts === null).map((m) => m.user_id));
    const returning = new Map(
      existing.filter((m) => m.left_pts !== null).map((m) => [m.user_id, m.profile_id]),
    );
    const joining = wanted.filter((id) => !active.has(id));
    if (joining.length === 0) return 0;
    const limit = await this.memberLimit(w, chat);
    if (chat.member_count + joining.length > limit) {
      throw new ApiError('GROUP_FULL', `This chat takes at most ${limit} members.`);
    }
    // In an open chat the joiner is known by a room profile: the one they had, if they return.
    const profileOf = new Map(
      chat.kind === 'open'
        ? joining.map((id) => [id, returning.get(id) ?? newId('p')] as const)
        : [],
    );
    const actor = (userId: string) => profileOf.get(userId) ?? userId;
    const pts = await this.updates.appendChatUpdate(
      w,
      chatId,
      { kind: 'chat.joined', chatId, userIds: joining.map(actor), byUserId: actor(byUserId) },
      joining,
    );
    this.publishMembership(w, chatId, pts, joining, []);
    const membership = {
      role: 'member' as const,
      joined_seq: chat.last_seq,
      joined_pts: pts,
      left_pts: null,
      read_seq: chat.last_seq,
      send_blocked: 0,
      muted: 0,
      nickname: chat.kind === 'open' ? (nickname ?? null) : null,
    };
    const fresh = joining.filter((id) => !returning.has(id));
    if (fresh.length > 0) {
      await w.db
        .insertInto('chat_members')
        .values(
          fresh.map((id) => ({
            chat_id: chatId,
            user_id: id,
            profile_id: profileOf.get(id) ?? null,
            banned: 0,
            ...membership,
          })),
        )
        .execute();
    }
    const back = joining.filter((id) => returning.has(id));
    if (back.length > 0) {
      await w.db
        .updateTable('chat_members')
        .set(membership)
        .where('chat_id', '=', chatId)
        .where('user_id', 'in', back)
        .execute();
    }
    await w.db
      .updateTable('chats')
      .set({ member_count: chat.member_count + joining.length, last_activity_at: w.now })
      .where('id', '=', chatId)
      .execute();
    return joining.length;
  }

  /** How many members a chat takes: an open chat's host sets it, groups have the server's. */
  private async memberLimit(w: Writer, chat: ChatsTable): Promise<number> {
    if (chat.kind !== 'open') return LIMITS.GROUP_MEMBERS_MAX;
    const settings = await store.openSettings(w.db, chat.id);
    return settings?.member_limit ?? LIMITS.GROUP_MEMBERS_MAX;
  }

  /**
   * A new invite link for a group, for its owner and admins; the group's earlier link stops
   * working. Only the token's hash is stored: the link is shown once.
   */
  async createInvite(userId: string, chatId: string): Promise<string> {
    return this.writes.run(async (w) => {
      await this.requireManager(w, chatId, userId);
      return this.issueInvite(w, chatId, userId);
    });
  }

  /** A new invite link token for a chat, replacing its last (the caller checked who asks). */
  async issueInvite(w: Writer, chatId: string, userId: string): Promise<string> {
    const token = randomBytes(16).toString('base64url');
    await revokeInvites(w, chatId);
    await w.db
      .insertInto('chat_invites')
      .values({
        token_hash: inviteHash(token),
        chat_id: chatId,
        created_by: userId,
        created_at: w.now,
        revoked_at: null,
      })
      .execute();
    return token;
  }

  /** The chat a working invite token is for; null if none. */
  async inviteChat(w: Writer | null, token: string): Promise<ChatsTable | null> {
    const db = w?.db ?? this.database.db;
    const invite = await db
      .selectFrom('chat_invites')
      .select('chat_id')
      .where('token_hash', '=', inviteHash(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return (invite && (await store.findChat(db, invite.chat_id))) ?? null;
  }

  async revokeInvite(userId: string, chatId: string): Promise<void> {
    await this.writes.run(async (w) => {
      await this.requireManager(w, chatId, userId);
      await revokeInvites(w, chatId);
    });
  }

  /** What an invite link is for, shown to someone deciding whether to join. */
  async getInvite(token: string): Promise<InvitePreview> {
    const chat = await this.inviteChat(null, token);
    if (!chat || chat.kind === 'direct') throw invalidInvite();
    const settings = chat.kind === 'open' && (await store.openSettings(this.database.db, chat.id));
    return {
      kind: chat.kind,
      title: chat.title,
      memberCount: chat.member_count,
      ...(settings && { open: openSettings(settings) }),
    };
  }

  /** Joins the group an invite link is for; a member already just gets the chat. */
  async joinByInvite(userId: string, token: string): Promise<Chat> {
    const chatId = await this.writes.run(async (w) => {
      const chat = await this.inviteChat(w, token);
      if (!chat) throw invalidInvite();
      if (chat.kind === 'open')
        throw new ApiError('INVALID_PARAMS', 'An open chat is joined with a nickname: open.join.');
      await this.join(w, chat, [userId], userId);
      return chat.id;
    });
    return this.get(userId, chatId);
  }

  /** The caller's membership of a group they may manage (its owner or an admin), and the chat. */
  async requireManager(w: Writer, chatId: string, userId: string) {
    const membership = await this.requireMember(w, chatId, userId);
    const chat = await this.requireRoom(w, chatId);
    if (membership.role === 'member')
      throw new ApiError('FORBIDDEN', 'Only the owner and admins of a group manage it.');
    return { membership, chat };
  }

  /** Mutes or unmutes a chat for the caller alone (on all their devices). */
  async mute(userId: string, chatId: string, muted: boolean): Promise<void> {
    await this.writes.run(async (w) => {
      const membership = await this.requireMember(w, chatId, userId);
      if (Boolean(membership.muted) === muted) return;
      await w.db
        .updateTable('chat_members')
        .set({ muted: muted ? 1 : 0 })
        .where('chat_id', '=', chatId)
        .where('user_id', '=', userId)
        .execute();
      await this.updates.appendUserUpdate(w, userId, { kind: 'chat.muted', chatId, muted });
    });
  }

  /**
   * A member leaves a group (or is removed by `by`, an owner or admin): the last update they
   * get is this. Someone removed from an open chat may not join it again. An owner who leaves
   * hands the chat to its first admin, else to its longest member.
   */
  private async endMembership(
    w: Writer,
    chatId: string,
    member: ChatMembersTable,
    by?: ChatMembersTable,
  ) {
    const chat = await this.requireRoom(w, chatId);
    const userId = member.user_id;
    const pts = await this.updates.appendChatUpdate(
      w,
      chatId,
      { kind: 'chat.left', chatId, userId: actorId(member), ...(by && { byUserId: actorId(by) }) },
      [userId],
    );
    this.publishMembership(w, chatId, pts, [], [userId]);
    await w.db
      .updateTable('chat_members')
      // No one who left stays an owner or admin: coming back, they are a member.
      .set({ left_pts: pts, role: 'member', banned: by && chat.kind === 'open' ? 1 : 0 })
      .where('chat_id', '=', chatId)
      .where('user_id', '=', userId)
      .execute();
    await w.db
      .updateTable('chats')
      .set({ member_count: chat.member_count - 1 })
      .where('id', '=', chatId)
      .execute();
    if (member.role === 'owner') {
      const heir = await store.nextOwner(w.db, chatId);
      if (heir) await this.changeRole(w, heir, 'owner', member);
    }
  }

  async rename(userId: string, chatId: string, title: string): Promise<void> {
    const cleanTitle = title.trim();
    if (!cleanTitle) throw new ApiError('INVALID_PARAMS', 'A group needs a title.');
    await this.writes.run(async (w) => {
      const membership = await this.requireMember(w, chatId, userId);
      const chat = await this.requireRoom(w, chatId);
      if (chat.kind === 'open' && membership.role === 'member')
        throw new ApiError('FORBIDDEN', 'Only the host and co-hosts rename an open chat.');
      await w.db.updateTable('chats').set({ title: cleanTitle }).where('id', '=', chatId).execute();
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.renamed',
        chatId,
        title: cleanTitle,
        byUserId: actorId(membership),
      });
    });
  }

  async get(userId: string, chatId: string): Promise<Chat> {
    await this.requireMember(null, chatId, userId);
    const row = await this.database.db
      .selectFrom('chats as c')
      .innerJoin('chat_members as m', 'm.chat_id', 'c.id')
      .selectAll('c')
      .select(['m.read_seq', 'm.joined_seq', 'm.muted', 'm.profile_id'])
      .where('c.id', '=', chatId)
      .where('m.user_id', '=', userId)
      .executeTakeFirstOrThrow();
    const [chat] = await this.toChats(userId, [row]);
    return chat!;
  }

  async list(userId: string, limit: number, cursor: string | undefined) {
    const after = cursor ? decodeCursor(cursor, isChatCursor) : null;
    const rows = await store.listChatsOfUser(
      this.database.db,
      userId,
      limit + 1,
      after && { lastActivityAt: after[0], chatId: after[1] },
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      chats: await this.toChats(userId, page),
      cursor: rows.length > limit && last ? encodeCursor([last.last_activity_at, last.id]) : null,
    };
  }

  /**
   * A page of a chat's members. In an open chat each is their room profile: its id and their
   * nickname, nothing of their account.
   */
  async members(userId: string, chatId: string, limit: number, cursor: string | undefined) {
    const membership = await this.requireMember(null, chatId, userId);
    const after = cursor ? decodeCursor(cursor, isString) : null;
    if (membership.profile_id !== null) {
      const rows = await store.roomProfilesPage(this.database.db, chatId, limit + 1, after);
      const page = rows.slice(0, limit);
      const members: Member[] = page.map((row) => ({
        user: roomProfile(row.profile_id, row.nickname),
        role: row.role,
        readSeq: row.read_seq,
        joinedSeq: row.joined_seq,
      }));
      const last = page.at(-1);
      return {
        members,
        cursor: rows.length > limit && last ? encodeCursor(last.profile_id) : null,
      };
    }
    const rows = await store.membersPage(this.database.db, chatId, limit + 1, after);
    const page = rows.slice(0, limit);
    const viewed = byId(await this.profileView(userId, page.map(toUser)));
    const members: Member[] = page.map((row) => ({
      user: viewed.get(row.id) ?? toUser(row),
      role: row.role,
      readSeq: row.read_seq,
      joinedSeq: row.joined_seq,
    }));
    const last = page.at(-1);
    return { members, cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  /**
   * Members of a chat by the ids the chat knows them by (`actorId`), present or past: the
   * sender of an old message may have left. Unknown ids are left out.
   */
  async membersById(userId: string, chatId: string, memberIds: string[]): Promise<Member[]> {
    const membership = await this.requireMember(null, chatId, userId);
    const rows = await store.membersByIds(
      this.database.db,
      chatId,
      membership.profile_id !== null ? 'profile_id' : 'user_id',
      [...new Set(memberIds)],
    );
    const viewed =
      membership.profile_id === null
        ? byId(
            await this.profileView(
              userId,
              rows.map((row) => toUser({ ...row, id: row.user_id })),
            ),
          )
        : new Map<string, User>();
    return rows.map((row) => ({
      user:
        row.profile_id !== null
          ? roomProfile(row.profile_id, row.nickname)
          : (viewed.get(row.user_id) ?? toUser({ ...row, id: row.user_id })),
      role: row.role,
      readSeq: row.read_seq,
      joinedSeq: row.joined_seq,
      ...(row.left_pts !== null && { left: true as const }),
    }));
  }

  async setTyping(userId: string, chatId: string): Promise<void> {
    const membership = await this.requireMember(null, chatId, userId);
    const event = { kind: 'typing', chatId, userId: actorId(membership) };
    const frame = JSON.stringify({ type: 'event', event });
    this.bus.publish('chat.event', { chatId, frame, exceptUserId: userId });
  }

  /** A new chat; an open chat's settings are the caller's to store (open-chats.ts). */
  async insertChat(
    w: Writer,
    chat: {
      kind: ChatsTable['kind'];
      title: string;
      directKey: string | null;
      ownerId: string;
      memberIds: string[];
      /** For an open chat: the owner's nickname there. */
      nickname?: string;
    },
  ): Promise<string> {
    const count = chat.memberIds.length + 1;
    if (count > LIMITS.GROUP_MEMBERS_MAX) {
      throw new ApiError('GROUP_FULL', `A group has at most ${LIMITS.GROUP_MEMBERS_MAX} members.`);
    }
    const id = newId('c');
    await w.db
      .insertInto('chats')
      .values({
        id,
        kind: chat.kind,
        title: chat.title,
        direct_key: chat.directKey,
        last_seq: 0,
        last_pts: 0,
        last_activity_at: w.now,
        member_count: count,
        created_at: w.now,
      })
      .execute();
    const userIds = [chat.ownerId, ...chat.memberIds];
    const open = chat.kind === 'open';
    const ownerProfile = open ? newId('p') : null;
    const actor = (userId: string) => (userId === chat.ownerId && ownerProfile) || userId;
    const pts = await this.updates.appendChatUpdate(
      w,
      id,
      {
        kind: 'chat.joined',
        chatId: id,
        userIds: userIds.map(actor),
        byUserId: actor(chat.ownerId),
      },
      userIds,
    );
    this.publishMembership(w, id, pts, userIds, []);
    const rows = userIds.map((userId) => ({
      chat_id: id,
      user_id: userId,
      role:
        userId === chat.ownerId && chat.kind !== 'direct'
          ? ('owner' as const)
          : ('member' as const),
      joined_seq: 0,
      joined_pts: pts,
      left_pts: null,
      read_seq: 0,
      send_blocked: 0,
      muted: 0,
      profile_id: userId === chat.ownerId ? ownerProfile : null,
      nickname: userId === chat.ownerId && open ? (chat.nickname ?? null) : null,
      banned: 0,
    }));
    await w.db.insertInto('chat_members').values(rows).execute();
    return id;
  }

  /** After the update that records the change: those who join or leave are among its readers. */
  private publishMembership(
    w: Writer,
    chatId: string,
    pts: number,
    added: string[],
    removed: string[],
  ): void {
    w.publish('chat.members', { chatId, pts, added, removed });
  }

  /** A group or an open chat: a chat with members to change, unlike a 1:1 chat. */
  private async requireRoom(w: Writer, chatId: string) {
    const chat = await store.findChat(w.db, chatId);
    if (!chat) throw new ApiError('NOT_FOUND', 'No such chat.');
    if (chat.kind === 'direct')
      throw new ApiError('BAD_REQUEST', 'Only groups have members to change.');
    return chat;
  }

  /**
   * Users the caller may put in a chat: they exist and have not blocked the caller. Someone who
   * blocked the caller gets the same answer as no one, so that the caller does not learn of it.
   */
  private async requireUsers(w: Writer, userIds: string[], callerId: string): Promise<void> {
    if (userIds.length === 0) return;
    const found = await w.db.selectFrom('users').select('id').where('id', 'in', userIds).execute();
    const known = new Set(found.map((u) => u.id));
    for (const id of await this.blockedBy(w, callerId, [...known])) known.delete(id);
    const missing = userIds.filter((id) => !known.has(id));
    if (missing.length > 0)
      throw new ApiError('NOT_FOUND', `No such user: ${missing.slice(0, 5).join(', ')}.`);
  }

  private async toChats(userId: string, rows: ChatRow[]): Promise<Chat[]> {
    const directIds = rows.filter((r) => r.kind === 'direct').map((r) => r.id);
    const openIds = rows.filter((r) => r.kind === 'open').map((r) => r.id);
    const [peers, openChats, messages] = await Promise.all([
      store.directPeers(this.database.db, directIds, userId),
      store.openSettingsOf(this.database.db, openIds),
      this.lastMessages(
        rows
          .filter((r) => r.last_seq > r.joined_seq)
          .map((r) => ({ chatId: r.id, seq: r.last_seq })),
      ),
    ]);
    const peerByChat = new Map(peers.map((p) => [p.chat_id, p]));
    const openByChat = new Map(openChats.map((o) => [o.chat_id, o]));
    const viewed = byId(await this.profileView(userId, peers.map(toUser)));
    return rows.map((row) => {
      const peer = peerByChat.get(row.id);
      const readSeq = Math.max(row.read_seq, row.joined_seq);
      return {
        id: row.id,
        kind: row.kind,
        title: row.title,
        memberCount: row.member_count,
        ...(peer && { peer: viewed.get(peer.id) ?? toUser(peer) }),
        lastSeq: row.last_seq,
        lastMessage: messages.get(row.id) ?? null,
        lastActivityAt: row.last_activity_at,
        readSeq: row.read_seq,
        unreadCount: Math.max(0, row.last_seq - readSeq),
        joinedSeq: row.joined_seq,
        ...(row.pinned_seq !== null && { pinnedSeq: row.pinned_seq }),
        ...(row.muted ? { muted: true as const } : {}),
        ...(row.profile_id !== null && { selfId: row.profile_id }),
        ...(openByChat.has(row.id) && { open: openSettings(openByChat.get(row.id)!) }),
      };
    });
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';
const byId = (users: User[]) => new Map(users.map((user) => [user.id, user]));

/** Invite tokens are 128 random bits: a plain SHA-256 keeps a stolen database from using them. */
const inviteHash = (token: string) => createHash('sha256').update(token).digest('hex');

async function revokeInvites(w: Writer, chatId: string): Promise<void> {
  await w.db
    .updateTable('chat_invites')
    .set({ revoked_at: w.now })
    .where('chat_id', '=', chatId)
    .where('revoked_at', 'is', null)
    .execute();
}

const invalidInvite = () => new ApiError('NOT_FOUND', 'This invite link does not work (any more).');

/**
 * Who a member is inside their chat — as sender, reactor, reader, in `chat.*` updates: their
 * room profile in an open chat, so that no one there learns their user id; else their user id.
 */
export const actorId = (member: Pick<ChatMembersTable, 'user_id' | 'profile_id'>) =>
  member.profile_id ?? member.user_id;

/** A member of an open chat as the others see them: a nickname, nothing of their account. */
export const roomProfile = (profileId: string, nickname: string | null): User => ({
  id: profileId,
  displayName: nickname ?? '',
  statusMessage: '',
  photo: null,
});

export const openSettings = (row: OpenChatsTable) => ({
  description: row.description,
  memberLimit: row.member_limit,
  listed: Boolean(row.listed),
});

/** One direct chat per pair of users. */
export const directKeyOf = (a: string, b: string) => [a, b].sort().join(':');
const isChatCursor = (value: unknown): value is [number, string] =>
  Array.isArray(value) &&
  value.length === 2 &&
  Number.isInteger(value[0]) &&
  typeof value[1] === 'string';

/** The caller's current membership inside a write (the send path runs it for every message). */
export async function requireMemberForWrite(sql: SqlRunner, chatId: string, userId: string) {
  const membership = await store.findMembershipForWrite(sql, chatId, userId);
  return checkMembership(membership, () => store.chatExistsForWrite(sql, chatId));
}

/** A current membership, or the error that says why not: no such chat, or not (any more) in it. */
async function checkMembership(
  membership: ChatMembersTable | undefined,
  chatExists: () => Promise<unknown>,
): Promise<ChatMembersTable> {
  if (membership && membership.left_pts === null) return membership;
  throw membershipError(!membership && !(await chatExists()));
}

/**
 * A send refused because the other member of a direct chat blocked the sender. Worded so as not
 * to tell the sender they are blocked.
 */
export const undeliverableError = () =>
  new ApiError('FORBIDDEN', 'This message could not be delivered.');

/** Why someone without a current membership may not write to a chat. */
export function membershipError(noSuchChat: boolean): ApiError {
  return noSuchChat
    ? new ApiError('NOT_FOUND', 'No such chat.')
    : new ApiError('NOT_MEMBER', 'You are not a member of this chat.');
}
