import type { Namespace, Routes } from '../rpc/route.js';
import type { OpenChatsService } from './open-chats.js';
import type { ChatsService } from './service.js';

/**
 * Chats, their members and invites, and open chats (`chats.pin` is the messages domain's). Each
 * service method takes the caller's user id and the method's params.
 */
export function chatsRoutes(
  chats: ChatsService,
  openChats: OpenChatsService,
): Routes<Exclude<Namespace<'chats'>, 'chats.pin'> | Namespace<'open'>> {
  const { membership, invites, views } = chats;
  /** The answer of a method that only changes something. */
  const ok = async (change: Promise<void>) => {
    await change;
    return {};
  };
  return {
    'chats.list': ({ principal }, p) => views.list(principal.userId, p),
    'chats.get': ({ principal }, p) => views.get(principal.userId, p),
    'chats.members': ({ principal }, p) => views.members(principal.userId, p),
    'chats.createDirect': ({ principal }, p) => chats.createDirect(principal.userId, p),
    'chats.createGroup': ({ principal }, p) => chats.createGroup(principal.userId, p),
    'chats.rename': ({ principal }, p) => ok(chats.rename(principal.userId, p)),
    'chats.mute': ({ principal }, p) => ok(chats.mute(principal.userId, p)),
    'chats.setTyping': ({ principal }, p) => ok(chats.setTyping(principal.userId, p)),
    'chats.addMembers': async ({ principal }, p) => ({
      added: await membership.addMembers(principal.userId, p),
    }),
    'chats.leave': ({ principal }, p) => ok(membership.leave(principal.userId, p)),
    'chats.removeMember': ({ principal }, p) => ok(membership.removeMember(principal.userId, p)),
    'chats.setRole': ({ principal }, p) => ok(membership.setRole(principal.userId, p)),
    'chats.createInvite': async ({ principal }, p) => ({
      token: await invites.create(principal.userId, p),
    }),
    'chats.revokeInvite': ({ principal }, p) => ok(invites.revoke(principal.userId, p)),
    'chats.getInvite': (_call, p) => invites.preview(p),
    'chats.joinByInvite': ({ principal }, p) => invites.join(principal.userId, p),
    'open.create': ({ principal }, p) => openChats.create(principal.userId, p),
    'open.search': (_call, p) => openChats.search(p),
    'open.get': (_call, p) => openChats.get(p),
    'open.join': ({ principal }, p) => openChats.join(principal.userId, p),
    'open.update': ({ principal }, p) => ok(openChats.update(principal.userId, p)),
    'open.setNickname': ({ principal }, p) => ok(openChats.setNickname(principal.userId, p)),
  };
}
