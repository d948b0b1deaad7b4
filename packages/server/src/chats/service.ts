import { LIMITS, type Chat, type MethodParams } from '@tokki/protocol';
import type { Bus } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import type { ChatsTable } from '../db/schema.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { hitRateLimit } from '../rate-limit/rate-limit.js';
import type { Principal } from '../rpc/route.js';
import type { UpdatesService } from '../updates/service.js';
import { actorId, directKeyOf } from './access.js';
import type { ChatsDeps, ChatsHooks, ChatsRules } from './deps.js';
import { ChatInvites } from './invites.js';
import { ChatMembership, publishMembership } from './membership.js';
import { SecretChats } from './secret-chats.js';
import * as store from './store.js';
import { ChatViews } from './views.js';

/**
 * Chats and their members. This file creates chats and holds what does not fit a part: rename,
 * mute, typing, pins and the blocks of direct chats. Its parts: `membership` (who is in a chat),
 * `invites` (links) and `views` (what a member sees of their chats).
 */
export class ChatsService {
  readonly membership: ChatMembership;
  readonly invites: ChatInvites;
  readonly views: ChatViews;
  readonly secret: SecretChats;
  private readonly deps: ChatsDeps;

  constructor(
    database: Database,
    writes: WriteQueue,
    bus: Bus,
    updates: UpdatesService,
    hooks: ChatsHooks,
    rules: ChatsRules,
  ) {
    this.deps = { database, writes, bus, updates, hooks, rules };
    this.membership = new ChatMembership(this.deps);
    this.views = new ChatViews(this.deps, this.membership);
    this.invites = new ChatInvites(this.deps, this.membership, this.views);
    this.secret = new SecretChats(this.deps, this.membership, (w, chat) =>
      this.insertChat(w, chat),
    );
  }

  /** The chat's kind; NOT_FOUND for none. */
  async kindOf(w: Writer | null, chatId: string): Promise<ChatsTable['kind']> {
    const chat = await store.findChat(w?.db ?? this.deps.database.db, chatId);
    if (!chat) throw new ApiError('NOT_FOUND', 'No such chat.');
    return chat.kind;
  }

  /** For messages and media: the caller's active membership (`ChatMembership.requireMember`). */
  requireMember(w: Writer | null, chatId: string, userId: string) {
    return this.membership.requireMember(w, chatId, userId);
  }

  /** The chats the user is a member of now (the gateway follows them for the user's devices). */
  /** The chats `userId` is in now, each with the seq they joined after (they see what follows). */
  currentMemberships(userId: string): Promise<{ chatId: string; joinedSeq: number }[]> {
    return store.currentMemberships(this.deps.database.db, userId);
  }

  activeChatIds(userId: string): Promise<string[]> {
    return store.activeChatIds(this.deps.database.db, userId);
  }

  async createDirect(
    principal: Principal,
    params: MethodParams<'chats.createDirect'>,
  ): Promise<Chat> {
    const { userId } = principal;
    const peerId = params.userId;
    if (peerId === userId)
      throw new ApiError('INVALID_PARAMS', 'A direct chat needs another user.');
    const directKey = directKeyOf(userId, peerId);
    const chatId = await this.deps.writes.run(async (w) => {
      const existing = await store.findDirectChatId(w.db, directKey);
      if (existing) return existing;
      await this.membership.requireUsers(w, [peerId], userId);
      if ((await this.deps.hooks.blockedBy(w, peerId, [userId])).length > 0)
        throw new ApiError('CONFLICT', 'You blocked this user: unblock them first.');
      return this.insertChat(w, {
        kind: 'direct',
        title: '',
        directKey,
        ownerId: userId,
        memberIds: [peerId],
      });
    });
    return this.views.get(principal, { chatId });
  }

  async createGroup(
    principal: Principal,
    params: MethodParams<'chats.createGroup'>,
  ): Promise<Chat> {
    const { userId } = principal;
    const others = [...new Set(params.memberIds)].filter((id) => id !== userId);
    const title = params.title.trim();
    if (!title) throw new ApiError('INVALID_PARAMS', 'A group needs a title.');
    const chatId = await this.deps.writes.run(async (w) => {
      await this.membership.requireUsers(w, others, userId);
      await this.membership.requireAddable(w, others, userId);
      const retryAfter = await hitRateLimit(
        w,
        `chats:groups:${userId}`,
        this.deps.rules.groupsPerUser,
      );
      if (retryAfter)
        throw new ApiError('RATE_LIMITED', 'Too many groups created; try again later.', retryAfter);
      await this.membership.spendAdds(w, userId, others.length);
      return this.insertChat(w, {
        kind: 'group',
        title,
        directKey: null,
        ownerId: userId,
        memberIds: others,
      });
    });
    return this.views.get(principal, { chatId });
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
    await store.insertChat(w.db, {
      id,
      kind: chat.kind,
      title: chat.title,
      direct_key: chat.directKey,
      last_seq: 0,
      last_pts: 0,
      last_activity_at: w.now,
      member_count: count,
      created_at: w.now,
      pinned_seq: null,
    });
    const userIds = [chat.ownerId, ...chat.memberIds];
    const open = chat.kind === 'open';
    const ownerProfile = open ? newId('p') : null;
    const actor = (userId: string) => (userId === chat.ownerId && ownerProfile) || userId;
    const pts = await this.deps.updates.appendChatUpdate(
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
    publishMembership(w, id, pts, userIds, []);
    await store.insertMembers(
      w.db,
      userIds.map((userId) => ({
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
      })),
    );
    return id;
  }

  async rename(principal: Principal, params: MethodParams<'chats.rename'>): Promise<void> {
    const { userId } = principal;
    const { chatId } = params;
    const title = params.title.trim();
    if (!title) throw new ApiError('INVALID_PARAMS', 'A group needs a title.');
    await this.deps.writes.run(async (w) => {
      const membership = await this.membership.requireMember(w, chatId, userId);
      const chat = await this.membership.requireRoom(w, chatId);
      if (chat.kind === 'open' && membership.role === 'member')
        throw new ApiError('FORBIDDEN', 'Only the host and co-hosts rename an open chat.');
      await store.updateChat(w.db, chatId, { title });
      await this.deps.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.renamed',
        chatId,
        title,
        byUserId: actorId(membership),
      });
    });
  }

  /** Mutes or unmutes a chat for the caller alone (on all their devices). */
  async mute(principal: Principal, params: MethodParams<'chats.mute'>): Promise<void> {
    const { userId } = principal;
    const { chatId, muted } = params;
    await this.deps.writes.run(async (w) => {
      const membership = await this.membership.requireMember(w, chatId, userId);
      if (Boolean(membership.muted) === muted) return;
      await store.updateMembers(w.db, chatId, [userId], { muted: muted ? 1 : 0 });
      await this.deps.updates.appendUserUpdate(w, userId, { kind: 'chat.muted', chatId, muted });
    });
  }

  async setTyping(principal: Principal, params: MethodParams<'chats.setTyping'>): Promise<void> {
    const { userId } = principal;
    const { chatId } = params;
    const retryAfter = this.deps.rules.typing.hit(userId);
    if (retryAfter)
      throw new ApiError('RATE_LIMITED', 'Too many typing events; try again later.', retryAfter);
    const membership = await this.membership.requireMember(null, chatId, userId);
    // Blocked in this 1:1: dropped without a word, as Telegram and KakaoTalk do. Typing is sent
    // every few seconds while composing; an error would tell of the block before any send does.
    if (membership.send_blocked) return;
    const event = { kind: 'typing', chatId, userId: actorId(membership) };
    const frame = JSON.stringify({ type: 'event', event });
    this.deps.bus.publish('chat.event', { chatId, frame, exceptUserId: userId });
  }

  /** The pinned message of a chat (messages/service.ts decides what may be pinned). */
  async setPinned(w: Writer, chatId: string, seq: number | null): Promise<void> {
    await store.updateChat(w.db, chatId, { pinned_seq: seq });
  }

  pinnedSeq(w: Writer, chatId: string): Promise<number | null> {
    return store.pinnedSeq(w.db, chatId);
  }

  /**
   * Refuses or allows again the sends of `userId` in their direct chat with `blockerId`, if there
   * is one: the block check of the send path is a column of the membership it reads anyway.
   */
  async setDirectSendBlocked(w: Writer, blockerId: string, userId: string, blocked: boolean) {
    await store.setSendBlockedInDirectChat(w.db, directKeyOf(blockerId, userId), userId, blocked);
  }
}
