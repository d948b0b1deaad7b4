import {
  LIMITS,
  type Chat,
  type MethodParams,
  type MethodResult,
  type OpenChatSummary,
} from '@tokki/protocol';
import type { Database } from '../db/database.js';
import type { ChatsTable } from '../db/schema.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../rpc/route.js';
import type { UpdatesService } from '../updates/service.js';
import { actorId } from './access.js';
import type { ChatsService } from './service.js';
import * as store from './store.js';
import { openSettings } from './views.js';

/** An open chat by id (found only when listed) or by invite token (any). */
type OpenChatRef = { chatId: string } | { token: string };

/**
 * Open chats (KakaoTalk's 오픈채팅): rooms anyone joins by link, or from search when listed,
 * without being anyone's friend. Members are known there by a room profile — an id of its own
 * and a nickname — never by their user id, account profile or number (see `actorId`). Their
 * messages take the same path as a group's: one row per message, fanned out on read.
 */
export class OpenChatsService {
  constructor(
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly chats: ChatsService,
    private readonly updates: UpdatesService,
  ) {}

  /** A new open chat with the caller as host, and its invite link's token. */
  async create(
    principal: Principal,
    params: MethodParams<'open.create'>,
  ): Promise<MethodResult<'open.create'>> {
    const { userId } = principal;
    const title = params.title.trim();
    if (!title) throw new ApiError('INVALID_PARAMS', 'An open chat needs a title.');
    const nickname = checkNickname(params.nickname);
    const description = checkDescription(params.description ?? '');
    const { chatId, inviteToken } = await this.writes.run(async (w) => {
      const chatId = await this.chats.insertChat(w, {
        kind: 'open',
        title,
        directKey: null,
        ownerId: userId,
        memberIds: [],
        nickname,
      });
      await store.insertOpenSettings(w.db, {
        chat_id: chatId,
        description,
        member_limit: params.memberLimit ?? LIMITS.OPEN_CHAT_MEMBERS_DEFAULT,
        listed: params.listed ? 1 : 0,
      });
      return { chatId, inviteToken: await this.chats.invites.issue(w, chatId, userId) };
    });
    return { chat: await this.chats.views.get(principal, { chatId }), inviteToken };
  }

  /** Listed open chats whose title contains `query` (every one when blank), biggest first. */
  async search(params: MethodParams<'open.search'>): Promise<MethodResult<'open.search'>> {
    const text = (params.query ?? '').trim().toLowerCase();
    const limit = params.limit ?? LIMITS.OPEN_SEARCH_MAX;
    const rows = await store.searchListedOpenChats(this.database.db, text, limit);
    return { chats: rows.map(summary) };
  }

  /** What a listed open chat is, for someone deciding whether to join. */
  async get(params: MethodParams<'open.get'>): Promise<OpenChatSummary> {
    const { chat, settings } = await this.findListed(this.database.db, params.chatId);
    return summary({ ...chat, ...settings });
  }

  /** Joins an open chat under `nickname`; a member already just gets the chat. */
  async join(principal: Principal, params: MethodParams<'open.join'>): Promise<Chat> {
    const { userId } = principal;
    const name = checkNickname(params.nickname);
    const chatId = await this.writes.run(async (w) => {
      const chat = await this.find(w, params);
      await this.chats.membership.join(w, chat, [userId], userId, name);
      return chat.id;
    });
    return this.chats.views.get(principal, { chatId });
  }

  /** Changes an open chat's settings (its host and co-hosts); members get `chat.open`. */
  async update(principal: Principal, params: MethodParams<'open.update'>): Promise<void> {
    const { userId } = principal;
    const { chatId, ...change } = params;
    const description =
      change.description === undefined ? undefined : checkDescription(change.description);
    await this.writes.run(async (w) => {
      const { membership, chat } = await this.chats.membership.requireManager(w, chatId, userId);
      const current = await store.openSettings(w.db, chatId);
      if (!current) throw notOpen();
      if (change.memberLimit !== undefined && change.memberLimit < chat.member_count)
        throw new ApiError(
          'INVALID_PARAMS',
          `The chat has ${chat.member_count} members already: the limit cannot be lower.`,
        );
      const next = {
        ...current,
        ...(description !== undefined && { description }),
        ...(change.memberLimit !== undefined && { member_limit: change.memberLimit }),
        ...(change.listed !== undefined && { listed: change.listed ? 1 : 0 }),
      };
      if (
        next.description === current.description &&
        next.member_limit === current.member_limit &&
        next.listed === current.listed
      )
        return;
      await store.updateOpenSettings(w.db, next);
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.open',
        chatId,
        open: openSettings(next),
        byUserId: actorId(membership),
      });
    });
  }

  /** The caller's nickname in an open chat; members get `chat.nickname`. */
  async setNickname(principal: Principal, params: MethodParams<'open.setNickname'>): Promise<void> {
    const { userId } = principal;
    const { chatId } = params;
    const name = checkNickname(params.nickname);
    await this.writes.run(async (w) => {
      const membership = await this.chats.requireMember(w, chatId, userId);
      if (membership.profile_id === null) throw notOpen();
      if (membership.nickname === name) return;
      await store.updateMembers(w.db, chatId, [userId], { nickname: name });
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.nickname',
        chatId,
        userId: membership.profile_id,
        nickname: name,
      });
    });
  }

  /**
   * The open chat `ref` names. An unlisted chat's id finds nothing — only its link does — and
   * the answer is the same as for no chat at all.
   */
  private async find(w: Writer | null, ref: OpenChatRef): Promise<ChatsTable> {
    if ('token' in ref) {
      const chat = await this.chats.invites.chatOf(w, ref.token);
      if (chat?.kind !== 'open')
        throw new ApiError('NOT_FOUND', 'This open chat link does not work (any more).');
      return chat;
    }
    return (await this.findListed(w?.db ?? this.database.db, ref.chatId)).chat;
  }

  /** A listed open chat and its settings; an unlisted one is not found, like no chat at all. */
  private async findListed(db: Writer['db'] | Database['db'], chatId: string) {
    const chat = await store.findChat(db, chatId);
    const settings = chat?.kind === 'open' ? await store.openSettings(db, chatId) : undefined;
    if (!chat || !settings?.listed)
      throw new ApiError('NOT_FOUND', 'No such open chat: it may be joined by its link only.');
    return { chat, settings };
  }
}

const notOpen = () => new ApiError('BAD_REQUEST', 'This is not an open chat.');

/** A room nickname: trimmed, not blank, at most `NICKNAME_MAX` characters. */
function checkNickname(nickname: string): string {
  const name = nickname.trim();
  if (!name) throw new ApiError('INVALID_PARAMS', 'A nickname is needed.');
  if ([...name].length > LIMITS.NICKNAME_MAX)
    throw new ApiError(
      'TEXT_TOO_LONG',
      `A nickname is limited to ${LIMITS.NICKNAME_MAX} characters.`,
    );
  return name;
}

function checkDescription(description: string): string {
  if ([...description].length > LIMITS.OPEN_CHAT_DESCRIPTION_MAX)
    throw new ApiError(
      'TEXT_TOO_LONG',
      `A description is limited to ${LIMITS.OPEN_CHAT_DESCRIPTION_MAX} characters.`,
    );
  return description.trim();
}

const summary = (row: {
  chat_id: string;
  title: string;
  member_count: number;
  description: string;
  member_limit: number;
  listed: number;
}): OpenChatSummary => ({
  id: row.chat_id,
  title: row.title,
  memberCount: row.member_count,
  ...openSettings(row),
});
