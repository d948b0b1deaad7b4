/**
 * Every error Tokki returns, over HTTP (`{error: {code, message}}`) or in a WebSocket `res`/`error`
 * frame. The code is the contract; the message is for humans and may change.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_PARAMS: 400,
  MALFORMED_FRAME: 400,
  UNKNOWN_METHOD: 404,
  PHONE_INVALID: 400,
  CODE_INVALID: 400,
  CODE_EXPIRED: 400,
  CODE_ATTEMPTS_EXCEEDED: 429,
  /** The SMS gateway refused to text this number (not a mobile, blocked, unsupported country). */
  SMS_REJECTED: 400,
  /** The SMS gateway could not be reached, after retries: try again later. */
  SMS_UNAVAILABLE: 503,
  TEXT_TOO_LONG: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_MEMBER: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GROUP_FULL: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** A secret chat takes only `secret.*` methods: no plain message, forward or reaction. */
  SECRET_CHAT: 400,
  /** Not a well-formed MLS message of this group and kind (wire format, group id, content type). */
  SECRET_MESSAGE_INVALID: 400,
  /** A key package that is malformed, of another suite, or not the caller's own device and key. */
  SECRET_KEY_PACKAGE_INVALID: 400,
  /** The device has published no identity key (`secret.publishIdentity`) or key packages. */
  SECRET_NO_IDENTITY: 409,
  /** A handshake or message for an epoch that is not the group's current one; `epoch` is. */
  SECRET_EPOCH_STALE: 409,
  /** Revoked devices (`deviceIds`) are still leaves: commit their removal, then send. */
  SECRET_REMOVAL_PENDING: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Seconds to wait before retrying, for RATE_LIMITED. */
  retryAfter?: number;
  /** For SECRET_EPOCH_STALE: the group's current epoch. */
  epoch?: number;
  /** For SECRET_REMOVAL_PENDING: the revoked devices a commit must remove first. */
  deviceIds?: string[];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

/**
 * WebSocket close codes. 1000-range codes are the standard ones `ws` uses on its own
 * (1009 for a frame over the size limit); 4000-range codes are Tokki's.
 */
export const CLOSE_CODES = {
  /** Normal closure, e.g. the client signed out. */
  NORMAL: 1000,
  /** The server is shutting down; reconnect (to another node) after a short delay. */
  GOING_AWAY: 1001,
  /** The server failed while serving this connection; reconnect. */
  INTERNAL_ERROR: 1011,
  /** The client reads too slowly; reconnect and catch up. */
  TRY_AGAIN_LATER: 1013,
  /** A frame exceeded MAX_FRAME_BYTES. */
  MESSAGE_TOO_BIG: 1009,
  /** No valid `connect` request within the handshake timeout, or the token was refused. */
  UNAUTHENTICATED: 4001,
  /** The device was revoked or signed out; do not reconnect with this token. */
  TOKEN_REVOKED: 4003,
  /** Too many invalid frames in a row; the client is broken. */
  PROTOCOL_VIOLATION: 4008,
} as const;
