import {
  LIMITS,
  type Chat,
  type Member,
  type MethodParams,
  type MethodResult,
  type User,
} from '@tokki/protocol';
import type { ChatMembersTable, OpenChatsTable } from '../db/schema.js';
import { decodeCursor, keysetPage } from '../pagination/cursor.js';
import type { Principal } from '../rpc/route.js';
import type { ChatsDeps } from './deps.js';
import type { ChatMembership } from './membership.js';
import * as store from './store.js';

const CHAT_PAGE_DEFAULT = 100;

/**
 * What a member sees of their chats: the chat list, one chat, and its members — each member as
 * the viewer may see them (accounts and friends decide), or by room profile in an open chat.
 */
export class ChatViews {
  constructor(
    private readonly deps: ChatsDeps,
    private readonly membership: ChatMembership,
  ) {}

  async get(principal: Principal, params: MethodParams<'chats.get'>): Promise<Chat> {
    const { userId } = principal;
    await this.membership.requireMember(null, params.chatId, userId);
    const row = await store.findChatOfMember(this.deps.database.db, params.chatId, userId);
    const [chat] = await this.toChats(userId, [row]);
    return chat!;
  }

  async list(
    principal: Principal,
    params: MethodParams<'chats.list'>,
  ): Promise<MethodResult<'chats.list'>> {
    const { userId } = principal;
    const limit = params.limit ?? CHAT_PAGE_DEFAULT;
    const after = params.cursor ? decodeCursor(params.cursor, isChatCursor) : null;
    const rows = await store.listChatsOfUser(
      this.deps.database.db,
      userId,
      limit + 1,
      after && { lastActivityAt: after[0], chatId: after[1] },
    );
    const { page, cursor } = keysetPage(rows, limit, (row) => [row.last_activity_at, row.id]);
    return { chats: await this.toChats(userId, page), cursor };
  }

  /**
   * A page of a chat's members, or with `userIds` just those. In an open chat each is their room
   * profile: its id and their nickname, nothing of their account.
   */
  async members(
    principal: Principal,
    params: MethodParams<'chats.members'>,
  ): Promise<MethodResult<'chats.members'>> {
    const { userId } = principal;
    const membership = await this.membership.requireMember(null, params.chatId, userId);
    if (params.userIds) {
      return { members: await this.membersById(membership, params.userIds), cursor: null };
    }
    const limit = params.limit ?? LIMITS.MEMBER_PAGE_MAX;
    const after = params.cursor ? decodeCursor(params.cursor, isString) : null;
    return membership.profile_id === null
      ? this.membersPage(userId, params.chatId, limit, after)
      : this.roomProfilesPage(params.chatId, limit, after);
  }

  private async membersPage(userId: string, chatId: string, limit: number, after: string | null) {
    const rows = await store.membersPage(this.deps.database.db, chatId, limit + 1, after);
    const { page, cursor } = keysetPage(rows, limit, (row) => row.user_id);
    const users = await this.usersSeenBy(
      userId,
      page.map((row) => row.user_id),
    );
    const members = page.flatMap((row) => {
      const user = users.get(row.user_id);
      return user ? [memberOf(user, row)] : [];
    });
    return { members, cursor };
  }

  private async roomProfilesPage(chatId: string, limit: number, after: string | null) {
    const rows = await store.roomProfilesPage(this.deps.database.db, chatId, limit + 1, after);
    const { page, cursor } = keysetPage(rows, limit, (row) => row.profile_id);
    const members = page.map((row) => memberOf(roomProfile(row.profile_id, row.nickname), row));
    return { members, cursor };
  }

  /**
   * Members of the caller's chat by the ids the chat knows them by (`actorId`), present or past:
   * the sender of an old message may have left. Unknown ids are left out.
   */
  private async membersById(caller: ChatMembersTable, memberIds: string[]): Promise<Member[]> {
    const open = caller.profile_id !== null;
    const rows = await store.membersByIds(
      this.deps.database.db,
      caller.chat_id,
      open ? 'profile_id' : 'user_id',
      [...new Set(memberIds)],
    );
    const users = open
      ? new Map<string, User>()
      : await this.usersSeenBy(
          caller.user_id,
          rows.map((row) => row.user_id),
        );
    return rows.flatMap((row) => {
      const user =
        row.profile_id !== null
          ? roomProfile(row.profile_id, row.nickname)
          : users.get(row.user_id);
      if (!user) return [];
      return [{ ...memberOf(user, row), ...(row.left_pts !== null && { left: true as const }) }];
    });
  }

  private async toChats(userId: string, rows: store.ChatOfMember[]): Promise<Chat[]> {
    const { database, hooks } = this.deps;
    const directIds = rows.filter((r) => r.kind === 'direct').map((r) => r.id);
    const openIds = rows.filter((r) => r.kind === 'open').map((r) => r.id);
    const [peers, openChats, messages] = await Promise.all([
      store.directPeers(database.db, directIds, userId),
      store.openSettingsOf(database.db, openIds),
      hooks.lastMessages(
        rows
          .filter((r) => r.last_seq > r.joined_seq)
          .map((r) => ({ chatId: r.id, seq: r.last_seq })),
      ),
    ]);
    const users = await this.usersSeenBy(
      userId,
      peers.map((p) => p.user_id),
    );
    const peerByChat = new Map(peers.map((p) => [p.chat_id, users.get(p.user_id)]));
    const openByChat = new Map(openChats.map((o) => [o.chat_id, o]));
    return rows.map((row) => {
      const peer = peerByChat.get(row.id);
      const open = openByChat.get(row.id);
      const readSeq = Math.max(row.read_seq, row.joined_seq);
      return {
        id: row.id,
        kind: row.kind,
        title: row.title,
        memberCount: row.member_count,
        ...(peer && { peer }),
        lastSeq: row.last_seq,
        lastMessage: messages.get(row.id) ?? null,
        lastActivityAt: row.last_activity_at,
        readSeq: row.read_seq,
        unreadCount: Math.max(0, row.last_seq - readSeq),
        joinedSeq: row.joined_seq,
        ...(row.pinned_seq !== null && { pinnedSeq: row.pinned_seq }),
        ...(row.muted ? { muted: true as const } : {}),
        ...(row.profile_id !== null && { selfId: row.profile_id }),
        ...(open && { open: openSettings(open) }),
      };
    });
  }

  /** Profiles by user id, in one call however many (a group has up to 3,000 members). */
  private async usersSeenBy(viewerId: string, userIds: string[]): Promise<Map<string, User>> {
    if (userIds.length === 0) return new Map();
    const users = await this.deps.hooks.usersSeenBy(viewerId, userIds);
    return new Map(users.map((user) => [user.id, user]));
  }
}

const memberOf = (
  user: User,
  row: Pick<ChatMembersTable, 'role' | 'read_seq' | 'joined_seq'>,
): Member => ({ user, role: row.role, readSeq: row.read_seq, joinedSeq: row.joined_seq });

/** A member of an open chat as the others see them: a nickname, nothing of their account. */
export const roomProfile = (profileId: string, nickname: string | null): User => ({
  id: profileId,
  displayName: nickname ?? '',
  statusMessage: '',
  photo: null,
});

export const openSettings = (row: Omit<OpenChatsTable, 'chat_id'>) => ({
  description: row.description,
  memberLimit: row.member_limit,
  listed: Boolean(row.listed),
});

const isString = (value: unknown): value is string => typeof value === 'string';
const isChatCursor = (value: unknown): value is [number, string] =>
  Array.isArray(value) &&
  value.length === 2 &&
  Number.isInteger(value[0]) &&
  typeof value[1] === 'string';
