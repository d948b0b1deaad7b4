import { ERROR_STATUS, isErrorCode, type ErrorBody, type ErrorCode } from '@tokki/protocol';

/** Options for {@link TokkiError}; `status` is absent only for connection failures. */
export interface TokkiErrorOptions {
  status?: number;
  retryAfter?: number;
  epoch?: number;
  deviceIds?: string[];
  cause?: unknown;
}

/**
 * The one error type the SDK throws: a server error (code from `@tokki/protocol`, HTTP status)
 * or, with code `UNAVAILABLE` and no status, a connection failure.
 *
 * @example
 * try { await client.call('chats.get', { chatId }) } catch (e) {
 *   if (e instanceof TokkiError && e.code === 'NOT_MEMBER') showNotAMember()
 * }
 */
export class TokkiError extends Error {
  override name = 'TokkiError';
  readonly code: ErrorCode;
  /** The error's HTTP status; undefined when the server was never reached. */
  readonly status: number | undefined;
  /** Seconds to wait before retrying, for RATE_LIMITED. */
  readonly retryAfter: number | undefined;
  /** For SECRET_EPOCH_STALE: the group's current epoch. */
  readonly epoch: number | undefined;
  /** For SECRET_REMOVAL_PENDING: the revoked devices a commit must remove first. */
  readonly deviceIds: string[] | undefined;

  constructor(code: ErrorCode, message: string, options: TokkiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfter = options.retryAfter;
    this.epoch = options.epoch;
    this.deviceIds = options.deviceIds;
  }

  /**
   * A server error from its wire form; the status comes from the code so that the same error has
   * the same status over HTTP and WebSocket.
   *
   * @example TokkiError.fromBody({ code: 'NOT_FOUND', message: 'no such chat' })
   */
  static fromBody(body: unknown, status?: number): TokkiError {
    const candidate = (typeof body === 'object' && body !== null ? body : {}) as Partial<ErrorBody>;
    const message = typeof candidate.message === 'string' ? candidate.message : 'Unknown error';
    // A newer server may send a code this SDK does not know; keep it readable in the message.
    const code: ErrorCode = isErrorCode(candidate.code) ? candidate.code : 'INTERNAL';
    const text = isErrorCode(candidate.code) ? message : `${String(candidate.code)}: ${message}`;
    return new TokkiError(code, text, {
      status: status ?? ERROR_STATUS[code],
      retryAfter: typeof candidate.retryAfter === 'number' ? candidate.retryAfter : undefined,
      epoch: typeof candidate.epoch === 'number' ? candidate.epoch : undefined,
      deviceIds:
        Array.isArray(candidate.deviceIds) &&
        candidate.deviceIds.every((id): id is string => typeof id === 'string')
          ? candidate.deviceIds
          : undefined,
    });
  }

  /**
   * A failure to reach the server or to hear back from it (network down, socket dropped, timeout).
   * The request may or may not have been applied.
   *
   * @example throw TokkiError.connection('socket closed')
   */
  static connection(message: string, cause?: unknown): TokkiError {
    return new TokkiError('UNAVAILABLE', message, { cause });
  }
}

/**
 * True when the server was not reached or did not answer: retrying the same request may succeed.
 *
 * @example if (isConnectionError(e)) showOfflineBanner()
 */
export function isConnectionError(error: unknown): error is TokkiError {
  return error instanceof TokkiError && error.code === 'UNAVAILABLE' && error.status === undefined;
}

/**
 * True for errors that are worth retrying unchanged: connection failures, `UNAVAILABLE` and
 * `RATE_LIMITED`. Every other code means the request itself was refused.
 *
 * @example if (isRetryable(e)) await retryLater()
 */
export function isRetryable(error: unknown): error is TokkiError {
  return (
    error instanceof TokkiError && (error.code === 'UNAVAILABLE' || error.code === 'RATE_LIMITED')
  );
}
