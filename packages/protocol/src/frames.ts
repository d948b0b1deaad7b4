import { Type, type Static } from '@sinclair/typebox';
import type { Event, Update } from './models.js';
import { Id, Pts } from './models.js';
import type { ErrorBody } from './errors.js';

/** Request id chosen by the client; echoed in the response. */
export const RequestId = Type.Union([
  Type.String({ maxLength: 64 }),
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
]);
export type RequestId = Static<typeof RequestId>;

/** The only frame a client sends. `params` are checked against the method's own schema. */
export const RequestFrame = Type.Object(
  {
    type: Type.Literal('req'),
    id: RequestId,
    method: Type.String({ maxLength: 64 }),
    params: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type RequestFrame = Static<typeof RequestFrame>;

/**
 * The first request on every connection. The token authenticates the device; `pts` is the
 * last pts the device has applied (omit it on a fresh device: it starts from now).
 */
export const ConnectParams = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 256 }),
    pts: Type.Optional(Pts),
  },
  { additionalProperties: false },
);
export type ConnectParams = Static<typeof ConnectParams>;

export const ConnectResult = Type.Object({
  userId: Id,
  deviceId: Id,
  /**
   * `resume`: every update after the client's pts follows as `update` frames, then live ones.
   * `reload`: the client was further behind than the server keeps (or sent no pts); reload chat
   * state, and apply the `update` frames that follow, which start after `pts`.
   */
  mode: Type.Union([Type.Literal('resume'), Type.Literal('reload')]),
  pts: Pts,
});
export type ConnectResult = Static<typeof ConnectResult>;

export interface ResponseFrame {
  type: 'res';
  id: RequestId;
  result?: unknown;
  error?: ErrorBody;
}

export interface UpdateFrame {
  type: 'update';
  pts: number;
  update: Update;
}

/**
 * Several updates at once, in pts order: how the catch-up after `connect` is sent, a page at a
 * time. Apply each exactly as if it had come in its own `update` frame.
 */
export interface UpdatesFrame {
  type: 'updates';
  updates: { pts: number; update: Update }[];
}

export interface EventFrame {
  type: 'event';
  event: Event;
}

/** A frame the server could not tie to a request (malformed JSON, no id). */
export interface ErrorFrame {
  type: 'error';
  error: ErrorBody;
}

/**
 * Sent once the catch-up after `connect` is complete: every later update is live.
 * `pts` is the last pts sent during catch-up.
 */
export interface SyncedFrame {
  type: 'synced';
  pts: number;
}

export type ServerFrame =
  ResponseFrame | UpdateFrame | UpdatesFrame | EventFrame | ErrorFrame | SyncedFrame;
