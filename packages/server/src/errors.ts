import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '@tokki/protocol';

/** The one error type services throw; the edges turn it into `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return this.retryAfter === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfter: this.retryAfter };
  }
}

/** Anything that is not an ApiError becomes INTERNAL, with no internals in the message. */
export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError('INTERNAL', 'Internal server error; it has been logged.');
}
