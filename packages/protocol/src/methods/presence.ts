import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Id, LastSeenPrivacy, Presence } from '../models.js';
import { method, Empty, Ok, Params } from './define.js';

/** Online / last seen. */
export const presenceMethods = {
  'presence.watch': method({
    summary:
      'Whether these users are online or when they were last, as each one lets the caller know; this connection then gets `presence` events for them (replacing its last watch list).',
    params: Params({
      userIds: Type.Array(Id, { maxItems: LIMITS.PRESENCE_WATCH_MAX }),
    }),
    result: Type.Object({ presences: Type.Array(Presence) }),
  }),
  'privacy.get': method({
    summary: "The caller's privacy settings.",
    params: Empty,
    result: Type.Object({ lastSeen: LastSeenPrivacy }),
  }),
  'privacy.update': method({
    summary: 'Who may see when the caller is online and when they were last.',
    params: Params({ lastSeen: LastSeenPrivacy }),
    result: Ok,
  }),
} as const;
