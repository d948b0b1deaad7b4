import type { Namespace, Routes } from '../rpc/route.js';
import type { FriendsService } from './service.js';

/** The address book, friends, recommendations and blocks. */
export function friendsRoutes(
  friends: FriendsService,
): Routes<Namespace<'friends' | 'contacts'> | 'users.lookupPhone'> {
  return {
    'users.lookupPhone': async ({ principal }, p) => ({
      user: await friends.lookupPhone(principal, p),
    }),
    'contacts.sync': ({ principal }, p) => friends.sync(principal, p),
    'friends.list': async ({ principal }) => ({
      friends: await friends.list(principal),
    }),
    'friends.add': ({ principal }, p) => friends.add(principal, p),
    'friends.addById': ({ principal }, p) => friends.addById(principal, p),
    'friends.update': ({ principal }, p) => friends.update(principal, p),
    'friends.recommended': async ({ principal }) => ({
      recommendations: await friends.recommended(principal),
    }),
    'friends.dismiss': async ({ principal }, p) => {
      await friends.dismiss(principal, p);
      return {};
    },
    'friends.block': async ({ principal }, p) => {
      await friends.block(principal, p);
      return {};
    },
    'friends.unblock': async ({ principal }, p) => {
      await friends.unblock(principal, p);
      return {};
    },
    'friends.blocked': async ({ principal }) => ({
      users: await friends.blocked(principal),
    }),
  };
}
