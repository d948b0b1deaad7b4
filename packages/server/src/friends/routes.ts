import type { Namespace, Routes } from '../rpc/route.js';
import type { FriendsService } from './service.js';

/** The address book, friends, recommendations and blocks. */
export function friendsRoutes(
  friends: FriendsService,
): Routes<Namespace<'friends' | 'contacts'> | 'users.lookupPhone'> {
  return {
    'users.lookupPhone': async ({ principal }, p) => ({
      user: await friends.lookupPhone(principal, p.phone),
    }),
    'contacts.sync': ({ principal }, p) => friends.sync(principal, p),
    'friends.list': async ({ principal }) => ({
      friends: await friends.list(principal.userId),
    }),
    'friends.add': ({ principal }, p) => friends.add(principal, p),
    'friends.addById': ({ principal }, p) => friends.addById(principal.userId, p.userId),
    'friends.update': ({ principal }, { userId, ...changes }) =>
      friends.update(principal.userId, userId, changes),
    'friends.recommended': async ({ principal }) => ({
      recommendations: await friends.recommended(principal.userId),
    }),
    'friends.dismiss': async ({ principal }, p) => {
      await friends.dismiss(principal.userId, p.userId);
      return {};
    },
    'friends.block': async ({ principal }, p) => {
      await friends.block(principal.userId, p.userId);
      return {};
    },
    'friends.unblock': async ({ principal }, p) => {
      await friends.unblock(principal.userId, p.userId);
      return {};
    },
    'friends.blocked': async ({ principal }) => ({
      users: await friends.blocked(principal.userId),
    }),
  };
}
