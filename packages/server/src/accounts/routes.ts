import type { Namespace, Routes } from '../rpc/route.js';
import type { AccountsService } from './service.js';

/** Sign-in, devices and the caller's own profile. */
export function accountsRoutes(
  accounts: AccountsService,
): Routes<Namespace<'auth' | 'devices' | 'profile'> | 'users.get'> {
  return {
    'auth.requestCode': (call, p) => accounts.requestCode(p.phone, call.ip),
    'auth.signIn': (_call, p) => accounts.signIn(p),
    'auth.signOut': async ({ principal }) => {
      await accounts.revokeDevice(principal, principal.deviceId);
      return {};
    },
    'devices.list': async ({ principal }) => ({
      devices: await accounts.listDevices(principal),
    }),
    'devices.revoke': async ({ principal }, p) => {
      await accounts.revokeDevice(principal, p.deviceId);
      return {};
    },
    'profile.get': ({ principal }) => accounts.getMe(principal.userId),
    'profile.update': ({ principal }, p) => accounts.updateProfile(principal.userId, p),
    'profile.removePhoto': ({ principal }) => accounts.removePhoto(principal.userId),
    'users.get': async ({ principal }, p) => ({
      users: await accounts.getUsers(principal.userId, p.userIds),
    }),
  };
}
