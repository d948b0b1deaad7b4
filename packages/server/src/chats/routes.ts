import type { Namespace, Routes } from '../rpc/route.js';
import type { OpenChatsService } from './open-chats.js';
import type { ChatsService } from './service.js';

/**
 * Chats, their members and invites, and open chats (`chats.pin` is the messages domain's). Each
 * service method takes the caller's principal and the method's params.
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
    'chats.list': ({ principal }, p) => views.list(principal, p),
    'chats.get': ({ principal }, p) => views.get(principal, p),
    'chats.members': ({ principal }, p) => views.members(principal, p),
    'chats.createDirect': ({ principal }, p) => chats.createDirect(principal, p),
    'chats.createGroup': ({ principal }, p) => chats.createGroup(principal, p),
    'chats.rename': ({ principal }, p) => ok(chats.rename(principal, p)),
    'chats.mute': ({ principal }, p) => ok(chats.mute(principal, p)),
    'chats.setTyping': ({ principal }, p) => ok(chats.setTyping(principal, p)),
    'chats.addMembers': async ({ principal }, p) => ({
      added: await membership.addMembers(principal, p),
    }),
    'chats.leave': ({ principal }, p) => ok(membership.leave(principal, p)),
    'chats.removeMember': ({ principal }, p) => ok(membership.removeMember(principal, p)),
    'chats.setRole': ({ principal }, p) => ok(membership.setRole(principal, p)),
    'chats.createInvite': async ({ principal }, p) => ({
      token: await invites.create(principal, p),
    }),
    'chats.revokeInvite': ({ principal }, p) => ok(invites.revoke(principal, p)),
    'chats.getInvite': (_call, p) => invites.preview(p),
    'chats.joinByInvite': ({ principal }, p) => invites.join(principal, p),
    'open.create': ({ principal }, p) => openChats.create(principal, p),
    'open.search': (_call, p) => openChats.search(p),
    'open.get': (_call, p) => openChats.get(p),
    'open.join': ({ principal }, p) => openChats.join(principal, p),
    'open.update': ({ principal }, p) => ok(openChats.update(principal, p)),
    'open.setNickname': ({ principal }, p) => ok(openChats.setNickname(principal, p)),
  };
}
