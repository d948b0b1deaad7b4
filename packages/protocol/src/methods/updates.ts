import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Pts, Update } from '../models.js';
import { method, Empty, Params } from './define.js';

export const UpdateEnvelope = Type.Object({ pts: Pts, update: Update });
export type UpdateEnvelope = Static<typeof UpdateEnvelope>;

export const Difference = Type.Union([
  Type.Object({
    kind: Type.Literal('updates'),
    updates: Type.Array(UpdateEnvelope),
    /**
     * The pts to send next time: the last update's while more are waiting; when final, the point
     * the server read up to (at least the caller's own), so nothing below it is missing.
     */
    pts: Pts,
    /** False when more updates are waiting: call again with `pts`. */
    final: Type.Boolean(),
  }),
  Type.Object({
    kind: Type.Literal('tooLong'),
    /** Reload chat state (chats.list, history), then continue from this pts. */
    pts: Pts,
  }),
]);
export type Difference = Static<typeof Difference>;

/** The update log: where a device stands and what it missed. */
export const updateMethods = {
  'updates.getState': method({
    summary: "The caller's current pts.",
    params: Empty,
    result: Type.Object({ pts: Pts }),
  }),
  'updates.getDifference': method({
    summary: 'Updates after pts, in order; or tooLong when pts is older than the server keeps.',
    params: Params({
      pts: Pts,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.DIFFERENCE_PAGE_MAX })),
    }),
    result: Difference,
  }),
} as const;
