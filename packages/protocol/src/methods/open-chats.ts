import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Chat, Id, OpenChatSummary } from '../models.js';
import { method, Ok, Params, Nickname, MemberLimit, OpenChatRef, Text } from './define.js';

/** Open chats (오픈채팅). */
export const openChatMethods = {
  'open.create': method({
    summary:
      'A new open chat with the caller as host, known there by `nickname`; with its invite link (share `/join/<token>`).',
    params: Params({
      title: Type.String({ minLength: 1, maxLength: LIMITS.CHAT_TITLE_MAX }),
      nickname: Nickname,
      description: Type.Optional(Text(LIMITS.OPEN_CHAT_DESCRIPTION_MAX)),
      memberLimit: Type.Optional(MemberLimit),
      listed: Type.Optional(Type.Boolean()),
    }),
    result: Type.Object({ chat: Chat, inviteToken: Type.String() }),
  }),
  'open.search': method({
    summary: 'Listed open chats whose title contains `query` (all when empty), biggest first.',
    params: Params({
      query: Type.Optional(Text(LIMITS.SEARCH_QUERY_MAX)),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.OPEN_SEARCH_MAX })),
    }),
    result: Type.Object({ chats: Type.Array(OpenChatSummary) }),
  }),
  'open.get': method({
    summary: 'What a listed open chat is, before joining (`chats.getInvite` for a link).',
    params: Params({ chatId: Id }),
    result: OpenChatSummary,
  }),
  'open.join': method({
    summary:
      'Join an open chat (a listed one by id, any by its invite token) under a nickname of that room.',
    params: OpenChatRef({ nickname: Nickname }),
    result: Chat,
  }),
  'open.update': method({
    summary: "Change an open chat's description, member limit or listing (its host and co-hosts).",
    params: Params({
      chatId: Id,
      description: Type.Optional(Text(LIMITS.OPEN_CHAT_DESCRIPTION_MAX)),
      memberLimit: Type.Optional(MemberLimit),
      listed: Type.Optional(Type.Boolean()),
    }),
    result: Ok,
  }),
  'open.setNickname': method({
    summary: "The caller's nickname in an open chat.",
    params: Params({ chatId: Id, nickname: Nickname }),
    result: Ok,
  }),
} as const;
