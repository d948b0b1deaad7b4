import { LIMITS, type MethodParams } from '@tokki/protocol';
import type { ChatMembersTable, ChatsTable } from '../db/schema.js';
import type { Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../rpc/route.js';
import { hitRateLimit } from '../rate-limit/rate-limit.js';
import {
  actorId,
  checkMembership,
  directKeyOf,
  outranks,
  requireMemberForWrite,
} from './access.js';
import type { ChatsDeps } from './deps.js';
import { secretChatError } from './secret-chats.js';
import * as store from './store.js';

/**
 * Who is in a chat: the checks every action starts with (member, manager, a group and not a 1:1
 * chat), and joining, adding, leaving, removing members and naming admins.
 */
export class ChatMembership {
  constructor(private readonly deps: ChatsDeps) {}

  /**
   * The caller's active membership, read inside a write so that it is current;
   * throws NOT_FOUND for no chat and NOT_MEMBER for someone else's.
   */
  async requireMember(w: Writer | null, chatId: string, userId: string) {
    if (w) return requireMemberForWrite(w.sql, chatId, userId);
    const { db } = this.deps.database;
    const membership = await store.findMembership(db, chatId, userId);
    return checkMembership(membership, () => store.findChat(db, chatId));
  }

  /** A group or an open chat: a chat with members to change, unlike a 1:1 chat. */
  async requireRoom(w: Writer, chatId: string) {
    const chat = await store.findChat(w.db, chatId);
    if (!chat) throw new ApiError('NOT_FOUND', 'No such chat.');
    if (chat.kind === 'direct')
      throw new ApiError('BAD_REQUEST', 'Only groups have members to change.');
    return chat;
  }

  /** The caller's membership of a group they may manage (its owner or an admin), and the chat. */
  async requireManager(w: Writer, chatId: string, userId: string) {
    const membership = await this.requireMember(w, chatId, userId);
    const chat = await this.requireRoom(w, chatId);
    if (membership.role === 'member')
      throw new ApiError('FORBIDDEN', 'Only the owner and admins of a group manage it.');
    return { membership, chat };
  }

  /**
   * Users the caller may put in a chat: they exist and have not blocked the caller. Someone who
   * blocked the caller gets the same answer as no one, so that the caller does not learn of it.
   */
  async requireUsers(w: Writer, userIds: string[], callerId: string): Promise<void> {
    if (userIds.length === 0) return;
    const { hooks } = this.deps;
    const known = new Set(await hooks.existingUserIds(w, userIds));
    for (const id of await hooks.blockedBy(w, callerId, [...known])) known.delete(id);
    const missing = userIds.filter((id) => !known.has(id));
    if (missing.length > 0)
      throw new ApiError('NOT_FOUND', `No such user: ${missing.slice(0, 5).join(', ')}.`);
  }

  /**
   * Refuses users the caller may not put into a group (config's `groupAdds`). As in KakaoTalk,
   * only someone a user has as a friend, or already chats with — a group both are in, or a 1:1
   * chat where the user has written — may add them; anyone else sends an invite link. A 1:1 chat
   * alone does not count: anyone can open one with anyone.
   */
  async requireAddable(w: Writer, userIds: readonly string[], callerId: string): Promise<void> {
    if (this.deps.rules.groupAdds === 'anyone' || userIds.length === 0) return;
    const { hooks } = this.deps;
    const known = new Set(await hooks.friendOf(w, callerId, userIds));
    for (const id of await store.chatMatesAmong(w.db, callerId, without(userIds, known), ['group']))
      known.add(id);
    const rest = without(userIds, known);
    const directs = await store.directChatsByKey(
      w.db,
      rest.map((id) => directKeyOf(callerId, id)),
    );
    const answered = new Set(
      await hooks.answeredIn(
        w,
        directs.map((chat) => chat.id),
        callerId,
      ),
    );
    for (const chat of directs) {
      if (!answered.has(chat.id)) continue;
      const other = rest.find((id) => directKeyOf(callerId, id) === chat.direct_key);
      if (other) known.add(other);
    }
    const strangers = without(userIds, known);
    if (strangers.length > 0)
      throw new ApiError(
        'FORBIDDEN',
        'Only people who have you as a friend, or already chat with you, can be added to a ' +
          `group; send the others an invite link: ${strangers.slice(0, 5).join(', ')}.`,
      );
  }

  /**
   * Counts `count` users put into groups against the caller's limit, or throws RATE_LIMITED —
   * which rolls the write back, so a refused call counts nothing.
   */
  async spendAdds(w: Writer, callerId: string, count: number): Promise<void> {
    if (count === 0) return;
    const limit = this.deps.rules.memberAddsPerUser;
    const retryAfter = await hitRateLimit(w, `chats:adds:${callerId}`, limit, count);
    if (retryAfter)
      throw new ApiError(
        'RATE_LIMITED',
        'Too many people added to groups; try again later.',
        retryAfter,
      );
  }

  /** Adds users to a group; how many were not in it already. */
  async addMembers(
    principal: Principal,
    params: MethodParams<'chats.addMembers'>,
  ): Promise<number> {
    const { userId } = principal;
    return this.deps.writes.run(async (w) => {
      await this.requireMember(w, params.chatId, userId);
      const chat = await this.requireRoom(w, params.chatId);
      if (chat.kind === 'open')
        throw new ApiError('BAD_REQUEST', 'People join an open chat themselves, by its link.');
      if (chat.kind === 'secret')
        throw secretChatError('gets members by the MLS commits that add their devices');
      const wanted = [...new Set(params.userIds)];
      await this.requireUsers(w, wanted, userId);
      await this.requireAddable(w, wanted, userId);
      const joined = await this.join(w, chat, wanted, userId);
      await this.spendAdds(w, userId, joined);
      return joined;
    });
  }

  async leave(principal: Principal, params: MethodParams<'chats.leave'>): Promise<void> {
    const { userId } = principal;
    await this.deps.writes.run(async (w) => {
      const membership = await this.requireMember(w, params.chatId, userId);
      const chat = await this.requireRoom(w, params.chatId);
      await this.endMembership(w, params.chatId, membership);
      // Their devices stay leaves of the group until a member commits their removal.
      if (chat.kind === 'secret') await this.deps.hooks.secretChatLeft(w, chat.id, userId);
    });
  }

  /**
   * Removes a member from a group: its owner may remove anyone, an admin only plain members. The
   * removed member gets the `chat.left` (with `byUserId`) like everyone, and nothing after it.
   */
  async removeMember(
    principal: Principal,
    params: MethodParams<'chats.removeMember'>,
  ): Promise<void> {
    const { userId } = principal;
    const { chatId } = params;
    await this.deps.writes.run(async (w) => {
      const actor = await this.requireMember(w, chatId, userId);
      const chat = await this.requireRoom(w, chatId);
      if (chat.kind === 'secret')
        throw secretChatError('loses members by the MLS commits that remove their devices');
      if (params.userId === actorId(actor))
        throw new ApiError('INVALID_PARAMS', 'To leave a group, use chats.leave.');
      const target = await this.requireOtherMember(w, chat, params.userId);
      if (!outranks(actor.role, target.role))
        throw new ApiError(
          'FORBIDDEN',
          'Only the owner, and admins for plain members, remove members.',
        );
      await this.endMembership(w, chatId, target, actor);
    });
  }

  /** Makes a member an admin or a plain member again; the group's owner only. */
  async setRole(principal: Principal, params: MethodParams<'chats.setRole'>): Promise<void> {
    const { userId } = principal;
    await this.deps.writes.run(async (w) => {
      const actor = await this.requireMember(w, params.chatId, userId);
      const chat = await this.requireRoom(w, params.chatId);
      if (chat.kind === 'secret') throw secretChatError('has no admins');
      if (actor.role !== 'owner')
        throw new ApiError('FORBIDDEN', 'Only the owner of a group names its admins.');
      const target = await this.requireOtherMember(w, chat, params.userId);
      if (target.role === 'owner')
        throw new ApiError('INVALID_PARAMS', 'The owner stays the owner.');
      if (target.role === params.role) return;
      await this.changeRole(w, target, params.role, actor);
    });
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
    const existing = await store.findMemberships(w.db, chatId, wanted);
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
    const pts = await this.deps.updates.appendChatUpdate(
      w,
      chatId,
      { kind: 'chat.joined', chatId, userIds: joining.map(actor), byUserId: actor(byUserId) },
      joining,
    );
    publishMembership(w, chatId, pts, joining, []);
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
      await store.insertMembers(
        w.db,
        fresh.map((id) => ({
          chat_id: chatId,
          user_id: id,
          profile_id: profileOf.get(id) ?? null,
          banned: 0,
          ...membership,
        })),
      );
    }
    const back = joining.filter((id) => returning.has(id));
    if (back.length > 0) await store.updateMembers(w.db, chatId, back, membership);
    await store.updateChat(w.db, chatId, {
      member_count: chat.member_count + joining.length,
      last_activity_at: w.now,
    });
    return joining.length;
  }

  /**
   * For secret chats (secret-chats.ts): `userId` leaves because a commit removed their last
   * device, by the member who made it; nothing if they left already.
   */
  async endSecretMembership(w: Writer, chatId: string, userId: string, byUserId: string) {
    const member = await store.findMembership(w.db, chatId, userId);
    if (!member || member.left_pts !== null) return;
    const by = await store.findMembership(w.db, chatId, byUserId);
    await this.endMembership(w, chatId, member, by);
  }

  /** How many members a chat takes: an open chat's host sets it, groups have the server's. */
  private async memberLimit(w: Writer, chat: ChatsTable): Promise<number> {
    if (chat.kind !== 'open') return LIMITS.GROUP_MEMBERS_MAX;
    const settings = await store.openSettings(w.db, chat.id);
    return settings?.member_limit ?? LIMITS.GROUP_MEMBERS_MAX;
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

  private async changeRole(
    w: Writer,
    target: ChatMembersTable,
    role: ChatMembersTable['role'],
    by: ChatMembersTable,
  ): Promise<void> {
    await store.updateMembers(w.db, target.chat_id, [target.user_id], { role });
    await this.deps.updates.appendChatUpdate(w, target.chat_id, {
      kind: 'chat.role',
      chatId: target.chat_id,
      userId: actorId(target),
      role,
      byUserId: actorId(by),
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
    const pts = await this.deps.updates.appendChatUpdate(
      w,
      chatId,
      { kind: 'chat.left', chatId, userId: actorId(member), ...(by && { byUserId: actorId(by) }) },
      [userId],
    );
    publishMembership(w, chatId, pts, [], [userId]);
    await store.updateMembers(w.db, chatId, [userId], {
      left_pts: pts,
      // No one who left stays an owner or admin: coming back, they are a member.
      role: 'member',
      banned: by && chat.kind === 'open' ? 1 : 0,
    });
    await store.updateChat(w.db, chatId, { member_count: chat.member_count - 1 });
    if (member.role === 'owner') {
      const heir = await store.nextOwner(w.db, chatId);
      if (heir) await this.changeRole(w, heir, 'owner', member);
    }
  }
}

/** After the update that records the change: those who join or leave are among its readers. */
export function publishMembership(
  w: Writer,
  chatId: string,
  pts: number,
  added: string[],
  removed: string[],
): void {
  w.publish('chat.members', { chatId, pts, added, removed });
}

const without = (ids: readonly string[], known: ReadonlySet<string>) =>
  ids.filter((id) => !known.has(id));
