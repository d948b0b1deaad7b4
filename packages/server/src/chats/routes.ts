import { LIMITS } from '@tokki/protocol';
import type { Namespace, Routes } from '../rpc/route.js';
import type { OpenChatsService } from './open-chats.js';
import type { ChatsService } from './service.js';

/** Chats, their members and invites, and open chats (`chats.pin` is the messages domain's). */
export function chatsRoutes(
  chats: ChatsService,
  openChats: OpenChatsService,
): Routes<Exclude<Namespace<'chats'>, 'chats.pin'> | Namespace<'open'>> {
  return {
    'chats.list': ({ principal }, p) => chats.list(principal.userId, p.limit ?? 100, p.cursor),
    'chats.get': ({ principal }, p) => chats.get(principal.userId, p.chatId),
    'chats.createDirect': ({ principal }, p) => chats.createDirect(principal.userId, p.userId),
    'chats.createGroup': ({ principal }, p) =>
      chats.createGroup(principal.userId, p.title, p.memberIds),
    'chats.addMembers': async ({ principal }, p) => ({
      added: await chats.addMembers(principal.userId, p.chatId, p.userIds),
    }),
    'chats.leave': async ({ principal }, p) => {
      await chats.leave(principal.userId, p.chatId);
      return {};
    },
    'chats.rename': async ({ principal }, p) => {
      await chats.rename(principal.userId, p.chatId, p.title);
      return {};
    },
    'chats.members': async ({ principal }, p) =>
      p.userIds
        ? {
            members: await chats.membersById(principal.userId, p.chatId, p.userIds),
            cursor: null,
          }
        : chats.members(principal.userId, p.chatId, p.limit ?? LIMITS.MEMBER_PAGE_MAX, p.cursor),
    'chats.removeMember': async ({ principal }, p) => {
      await chats.removeMember(principal.userId, p.chatId, p.userId);
      return {};
    },
    'chats.setRole': async ({ principal }, p) => {
      await chats.setRole(principal.userId, p.chatId, p.userId, p.role);
      return {};
    },
    'chats.mute': async ({ principal }, p) => {
      await chats.mute(principal.userId, p.chatId, p.muted);
      return {};
    },
    'chats.createInvite': async ({ principal }, p) => ({
      token: await chats.createInvite(principal.userId, p.chatId),
    }),
    'chats.revokeInvite': async ({ principal }, p) => {
      await chats.revokeInvite(principal.userId, p.chatId);
      return {};
    },
    'chats.getInvite': (_call, p) => chats.getInvite(p.token),
    'chats.joinByInvite': ({ principal }, p) => chats.joinByInvite(principal.userId, p.token),
    'chats.setTyping': async ({ principal }, p) => {
      await chats.setTyping(principal.userId, p.chatId);
      return {};
    },
    'open.create': ({ principal }, p) => openChats.create(principal.userId, p),
    'open.search': async (_call, p) => ({
      chats: await openChats.search(p.query ?? '', p.limit ?? LIMITS.OPEN_SEARCH_MAX),
    }),
    'open.get': (_call, p) => openChats.get(p.chatId),
    'open.join': ({ principal }, p) =>
      openChats.join(
        principal.userId,
        'token' in p ? { token: p.token } : { chatId: p.chatId },
        p.nickname,
      ),
    'open.update': async ({ principal }, p) => {
      const { chatId, ...change } = p;
      await openChats.update(principal.userId, chatId, change);
      return {};
    },
    'open.setNickname': async ({ principal }, p) => {
      await openChats.setNickname(principal.userId, p.chatId, p.nickname);
      return {};
    },
  };
}
