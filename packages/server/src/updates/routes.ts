import type { Namespace, Routes } from '../rpc/route.js';
import type { UpdatesService } from './service.js';

/** The update log: where a device stands, and what it missed. */
export function updatesRoutes(updates: UpdatesService): Routes<Namespace<'updates'>> {
  return {
    'updates.getState': async () => ({ pts: await updates.currentPts() }),
    'updates.getDifference': ({ principal }, p) => updates.getDifference(principal, p),
  };
}
