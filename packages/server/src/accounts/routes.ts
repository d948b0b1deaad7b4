import type { Namespace, Routes } from '../rpc/route.js';
import type { AccountsService } from './service.js';

/** Sign-in, devices and the caller's own profile. */
export function accountsRoutes(
  accounts: AccountsService,
): Routes<Namespace<'auth' | 'devices' | 'profile'> | 'users.get'> {
  return {
    'auth.requestCode': (call, p) => accounts.requestCode(p, call.ip),
    'auth.signIn': (_call, p) => accounts.signIn(p),
    'auth.signOut': async ({ principal }) => {
      await accounts.signOut(principal);
      return {};
    },
    'devices.list': async ({ principal }) => ({
      devices: await accounts.listDevices(principal),
    }),
    'devices.revoke': async ({ principal }, p) => {
      await accounts.revokeDevice(principal, p);
      return {};
    },
    'profile.get': ({ principal }) => accounts.getMe(principal),
    'profile.update': ({ principal }, p) => accounts.updateProfile(principal, p),
    'profile.removePhoto': ({ principal }) => accounts.removePhoto(principal),
    'users.get': async ({ principal }, p) => ({
      users: await accounts.getUsers(principal, p),
    }),
  };
}
