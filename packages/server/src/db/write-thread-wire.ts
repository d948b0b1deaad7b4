import type { ErrorBody } from '@tokki/protocol';
import type { WriteCommand } from './commands.js';
import { ApiError } from '../errors.js';
import type { Publication } from '../bus/bus.js';
import type { JobOutcome } from './batch.js';

/** What the write thread starts with: the database file and the registry module's URL. */
export interface WriteThreadData {
  file: string;
  registry: string | undefined;
}

/** What crosses between the event loop and the SQLite write thread (structured clone). */
export interface WriteThreadRequest {
  id: number;
  commands: WriteCommand[];
  /** The batch's `now`, when the queue has a clock of its own. */
  now?: number | undefined;
}

/** The thread's first message: it is ready, and the pts counter stood at `pts` when it started. */
export interface WriteThreadReady {
  ready: true;
  pts: number;
}

export type WriteThreadReply =
  | { id: number; outcomes: WireOutcome[]; after: number; through: number }
  /** The transaction itself failed: nothing of the batch was stored. */
  | { id: number; failed: WireError };

export type WireError = { api: ErrorBody } | { message: string; stack?: string };

export type WireOutcome =
  { ok: true; value: unknown; publications: Publication[] } | { ok: false; error: WireError };

/** Structured clone keeps an Error's message but not its class or `code`: say them here. */
export function toWireOutcome(outcome: JobOutcome): WireOutcome {
  if (outcome.ok) return outcome;
  return { ok: false, error: toWireError(outcome.error) };
}

export function toWireError(error: unknown): WireError {
  if (error instanceof ApiError) return { api: error.toBody() };
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

export function fromWireOutcome(outcome: WireOutcome): JobOutcome {
  if (outcome.ok) return outcome;
  return { ok: false, error: fromWireError(outcome.error) };
}

export function fromWireError(wire: WireError): Error {
  if ('api' in wire) {
    const { code, message, retryAfter, epoch, deviceIds } = wire.api;
    return new ApiError(code, message, retryAfter, {
      ...(epoch !== undefined && { epoch }),
      ...(deviceIds !== undefined && { deviceIds }),
    });
  }
  const error = new Error(`on the write thread: ${wire.message}`);
  if (wire.stack) error.stack = wire.stack;
  return error;
}
