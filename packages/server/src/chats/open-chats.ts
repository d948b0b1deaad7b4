import { LIMITS, type Chat, type OpenChatSummary } from '@tokki/protocol';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { ChatsTable } from '../db/schema.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { UpdatesService } from '../updates/service.js';
import { actorId, openSettings, type ChatsService } from './service.js';
import * as store from './store.js';

/** An open chat by id (found only when listed) or by invite token (any). */
export type OpenChatRef = { chatId: string } | { token: string };

export interface OpenChatInput {
  title: string;
  nickname: string;
  description?: string;
  memberLimit?: number;
  listed?: boolean;
}

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
  async create(userId: string, input: OpenChatInput): Promise<{ chat: Chat; inviteToken: string }> {
    const title = input.title.trim();
    if (!title) throw new ApiError('INVALID_PARAMS', 'An open chat needs a title.');
    const nickname = checkNickname(input.nickname);
    const description = checkDescription(input.description ?? '');
    const { chatId, inviteToken } = await this.writes.run(async (w) => {
      const chatId = await this.chats.insertChat(w, {
        kind: 'open',
        title,
        directKey: null,
        ownerId: userId,
        memberIds: [],
        nickname,
      });
      await w.db
        .insertInto('open_chats')
        .values({
          chat_id: chatId,
          description,
          member_limit: input.memberLimit ?? LIMITS.OPEN_CHAT_MEMBERS_DEFAULT,
          listed: input.listed ? 1 : 0,
        })
        .execute();
      return { chatId, inviteToken: await this.chats.issueInvite(w, chatId, userId) };
    });
    return { chat: await this.chats.get(userId, chatId), inviteToken };
  }

  /** Listed open chats whose title contains `query` (every one when blank), biggest first. */
  async search(query: string, limit: number): Promise<OpenChatSummary[]> {
    let rows = this.database.db
      .selectFrom('open_chats as o')
      .innerJoin('chats as c', 'c.id', 'o.chat_id')
      .select(['c.id', 'c.title', 'c.member_count', 'o.description', 'o.member_limit', 'o.listed'])
      .where('o.listed', '=', 1);
    const text = query.trim().toLowerCase();
    if (text) rows = rows.where(sql<boolean>`lower(c.title) like ${likePattern(text)} escape '\\'`);
    const found = await rows
      .orderBy('c.member_count', 'desc')
      .orderBy('c.id')
      .limit(limit)
      .execute();
    return found.map((row) => summary({ ...row, chat_id: row.id }));
  }

  /** What a listed open chat is, for someone deciding whether to join. */
  async get(chatId: string): Promise<OpenChatSummary> {
    const { chat, settings } = await this.findListed(this.database.db, chatId);
    return summary({ ...chat, ...settings });
  }

  /** Joins an open chat under `nickname`; a member already just gets the chat. */
  async join(userId: string, ref: OpenChatRef, nickname: string): Promise<Chat> {
    const name = checkNickname(nickname);
    const chatId = await this.writes.run(async (w) => {
      const chat = await this.find(w, ref);
      await this.chats.join(w, chat, [userId], userId, name);
      return chat.id;
    });
    return this.chats.get(userId, chatId);
  }

  /** Changes an open chat's settings (its host and co-hosts); members get `chat.open`. */
  async update(
    userId: string,
    chatId: string,
    change: { description?: string; memberLimit?: number; listed?: boolean },
  ): Promise<void> {
    const description =
      change.description === undefined ? undefined : checkDescription(change.description);
    await this.writes.run(async (w) => {
      const { membership, chat } = await this.chats.requireManager(w, chatId, userId);
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
      await w.db.updateTable('open_chats').set(next).where('chat_id', '=', chatId).execute();
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.open',
        chatId,
        open: openSettings(next),
        byUserId: actorId(membership),
      });
    });
  }

  /** The caller's nickname in an open chat; members get `chat.nickname`. */
  async setNickname(userId: string, chatId: string, nickname: string): Promise<void> {
    const name = checkNickname(nickname);
    await this.writes.run(async (w) => {
      const membership = await this.chats.requireMember(w, chatId, userId);
      if (membership.profile_id === null) throw notOpen();
      if (membership.nickname === name) return;
      await w.db
        .updateTable('chat_members')
        .set({ nickname: name })
        .where('chat_id', '=', chatId)
        .where('user_id', '=', userId)
        .execute();
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
      const chat = await this.chats.inviteChat(w, ref.token);
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
export function checkNickname(nickname: string): string {
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

/** `%text%` for LIKE, with the pattern's own characters taken literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

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
