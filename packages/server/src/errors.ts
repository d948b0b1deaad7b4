import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '@tokki/protocol';

/** What some errors carry besides their code (ErrorBody): a secret group's epoch, devices. */
export type ErrorDetails = Pick<ErrorBody, 'epoch' | 'deviceIds'>;

/** The one error type services throw; the edges turn it into `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfter?: number,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfter !== undefined && { retryAfter: this.retryAfter }),
      ...(this.details.epoch !== undefined && { epoch: this.details.epoch }),
      ...(this.details.deviceIds !== undefined && { deviceIds: this.details.deviceIds }),
    };
  }
}

/** Anything that is not an ApiError becomes INTERNAL, with no internals in the message. */
export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError('INTERNAL', 'Internal server error; it has been logged.');
}
