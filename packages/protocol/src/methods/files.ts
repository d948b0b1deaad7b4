import { Type } from '@sinclair/typebox';
import { FileInfo, Id, Timestamp } from '../models.js';
import { method, Params } from './define.js';

/** Files. */
export const fileMethods = {
  'files.get': method({
    summary:
      "A file of one of the caller's chats, with URLs to download it (and its thumbnail) that work without a token until expiresAt.",
    params: Params({ fileId: Id }),
    result: Type.Object({
      file: FileInfo,
      /** `/v1/files/<id>?t=…`, relative to the server. */
      url: Type.String(),
      /** For images: `…&size=thumb`; null for other files. */
      thumbUrl: Type.Union([Type.String(), Type.Null()]),
      expiresAt: Timestamp,
    }),
  }),
} as const;
