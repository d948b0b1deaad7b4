import { Type } from '@sinclair/typebox';
import { method, Empty } from './define.js';

/** Which server this is. */
export const serverMethods = {
  'server.getInfo': method({
    auth: false,
    summary: 'What this server is: its mode decides whether test numbers sign in.',
    params: Empty,
    result: Type.Object({
      name: Type.String(),
      version: Type.String(),
      mode: Type.Union([Type.Literal('local'), Type.Literal('production')]),
      /** Local mode: `+99966XYYYY` signs in with X five times, and codes go to the server log. */
      testNumbers: Type.Boolean(),
    }),
  }),
} as const;
