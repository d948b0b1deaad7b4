import type { Namespace, Routes } from '../rpc/route.js';
import type { MediaService } from './service.js';

/** Files of a chat (their bytes go through `http.ts`). */
export function mediaRoutes(media: MediaService): Routes<Namespace<'files'>> {
  return {
    'files.get': ({ principal }, p) => media.get(principal, p),
  };
}
