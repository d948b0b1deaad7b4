import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { LinkPreview } from '../models.js';
import { method, Params } from './define.js';

/** Link previews. */
export const linkMethods = {
  'links.preview': method({
    summary:
      'The preview of an http(s) link (Open Graph / HTML meta), fetched by the server and cached; null when the page has none or cannot be fetched.',
    params: Params({ url: Type.String({ minLength: 1, maxLength: LIMITS.LINK_URL_MAX }) }),
    result: Type.Object({ preview: Type.Union([LinkPreview, Type.Null()]) }),
  }),
} as const;
