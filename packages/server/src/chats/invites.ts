import { createHash, randomBytes } from 'node:crypto';
import type { Chat, InvitePreview, MethodParams } from '@tokki/protocol';
import type { ChatsTable } from '../db/schema.js';
import type { Writer } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../rpc/route.js';
import type { ChatsDeps } from './deps.js';
import type { ChatMembership } from './membership.js';
import { secretChatError } from './secret-chats.js';
import * as store from './store.js';
import { openSettings, type ChatViews } from './views.js';

/**
 * Invite links: a group's owner and admins make one (the last one made is the one that works),
 * anyone with it sees what it is for and joins. Open chats are joined by theirs (open-chats.ts).
 */
export class ChatInvites {
  constructor(
    private readonly deps: ChatsDeps,
    private readonly membership: ChatMembership,
    private readonly views: ChatViews,
  ) {}

  /**
   * A new invite link for a group, for its owner and admins; the group's earlier link stops
   * working. Only the token's hash is stored: the link is shown once.
   */
  async create(principal: Principal, params: MethodParams<'chats.createInvite'>): Promise<string> {
    const { userId } = principal;
    return this.deps.writes.run(async (w) => {
      const { chat } = await this.membership.requireManager(w, params.chatId, userId);
      if (chat.kind === 'secret') throw secretChatError('is joined by an MLS commit, not a link');
      return this.issue(w, params.chatId, userId);
    });
  }

  /** A new invite link token for a chat, replacing its last (the caller checked who asks). */
  async issue(w: Writer, chatId: string, userId: string): Promise<string> {
    const token = randomBytes(16).toString('base64url');
    await store.revokeInvites(w.db, chatId, w.now);
    await store.insertInvite(w.db, {
      token_hash: inviteHash(token),
      chat_id: chatId,
      created_by: userId,
      created_at: w.now,
      revoked_at: null,
    });
    return token;
  }

  async revoke(principal: Principal, params: MethodParams<'chats.revokeInvite'>): Promise<void> {
    const { userId } = principal;
    await this.deps.writes.run(async (w) => {
      await this.membership.requireManager(w, params.chatId, userId);
      await store.revokeInvites(w.db, params.chatId, w.now);
    });
  }

  /** The chat a working invite token is for; null if none. */
  async chatOf(w: Writer | null, token: string): Promise<ChatsTable | null> {
    const db = w?.db ?? this.deps.database.db;
    const chatId = await store.findInviteChatId(db, inviteHash(token));
    if (chatId === undefined) return null;
    return (await store.findChat(db, chatId)) ?? null;
  }

  /** What an invite link is for, shown to someone deciding whether to join. */
  async preview(params: MethodParams<'chats.getInvite'>): Promise<InvitePreview> {
    const chat = await this.chatOf(null, params.token);
    if (!chat || chat.kind === 'direct' || chat.kind === 'secret') throw invalidInvite();
    const settings =
      chat.kind === 'open' && (await store.openSettings(this.deps.database.db, chat.id));
    return {
      kind: chat.kind,
      title: chat.title,
      memberCount: chat.member_count,
      ...(settings && { open: openSettings(settings) }),
    };
  }

  /** Joins the group an invite link is for; a member already just gets the chat. */
  async join(principal: Principal, params: MethodParams<'chats.joinByInvite'>): Promise<Chat> {
    const { userId } = principal;
    const chatId = await this.deps.writes.run(async (w) => {
      const chat = await this.chatOf(w, params.token);
      if (!chat) throw invalidInvite();
      if (chat.kind === 'open')
        throw new ApiError('INVALID_PARAMS', 'An open chat is joined with a nickname: open.join.');
      if (chat.kind === 'secret') throw secretChatError('is joined by an MLS commit, not a link');
      await this.membership.join(w, chat, [userId], userId);
      return chat.id;
    });
    return this.views.get(principal, { chatId });
  }
}

/** Invite tokens are 128 random bits: a plain SHA-256 keeps a stolen database from using them. */
const inviteHash = (token: string) => createHash('sha256').update(token).digest('hex');

const invalidInvite = () => new ApiError('NOT_FOUND', 'This invite link does not work (any more).');
