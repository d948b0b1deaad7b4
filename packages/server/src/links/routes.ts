import type { Namespace, Routes } from '../rpc/route.js';
import type { LinksService } from './service.js';

/** Link previews. */
export function linksRoutes(links: LinksService): Routes<Namespace<'links'>> {
  return {
    'links.preview': async ({ principal }, p) => ({
      preview: await links.preview(principal, p),
    }),
  };
}
