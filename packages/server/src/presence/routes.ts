import type { Namespace, Routes } from '../rpc/route.js';
import type { PresenceService } from './service.js';

/** Online / last seen, and who may see it. */
export function presenceRoutes(
  presence: PresenceService,
): Routes<Namespace<'presence' | 'privacy'>> {
  return {
    'presence.watch': async (call, p) => ({
      presences: await presence.watch(call.principal, p, call.watcher),
    }),
    'privacy.get': async ({ principal }) => ({
      lastSeen: await presence.privacy(principal),
    }),
    'privacy.update': async ({ principal }, p) => {
      await presence.setPrivacy(principal, p);
      return {};
    },
  };
}
