import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { isRetryable } from './errors.js';

/**
 * A fresh `clientMsgId`: a random UUID. `crypto.randomUUID` exists only in secure contexts in
 * browsers, so plain `http://` pages get the same format from `getRandomValues`.
 *
 * @example const clientMsgId = newClientMsgId() // '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function newClientMsgId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Options for {@link retryUntilDone}. */
export interface RetryOptions {
  /** Stops retrying: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Delays between attempts; reset never (the caller starts a new retry loop per request). */
  backoff?: BackoffOptions;
  /** Called before each wait, e.g. to show "sending…" after the first failure. */
  onRetry?: (error: unknown, attempt: number) => void;
  /**
   * Subscribes to a sign that retrying now is worth it (the connection is back); the wait is cut
   * short when it fires. Returns the unsubscribe function.
   */
  wakeOn?: (wake: () => void) => () => void;
}

/**
 * Runs `attempt` until it succeeds, waiting with backoff after each retryable failure (connection
 * lost, UNAVAILABLE, RATE_LIMITED, honouring `retryAfter`). Any other error is rethrown at once.
 * Only for requests that are safe to repeat, such as `messages.send` with a fixed `clientMsgId`.
 *
 * @example const result = await retryUntilDone(() => client.call('messages.send', params))
 */
export async function retryUntilDone<T>(
  attempt: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  for (let failures = 0; ; failures++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      options.signal?.throwIfAborted();
      if (!isRetryable(error)) throw error;
      options.onRetry?.(error, failures + 1);
      const delay = Math.max(
        (error.retryAfter ?? 0) * 1000,
        backoffDelay(failures, options.backoff),
      );
      await wait(delay, options);
    }
  }
}

/** Sleeps `ms`, or less if `wakeOn` fires (never less than `retryAfter` would allow, though). */
async function wait(ms: number, options: RetryOptions): Promise<void> {
  const early = new AbortController();
  const off = options.wakeOn?.(() => early.abort());
  const signals = options.signal ? [options.signal, early.signal] : [early.signal];
  try {
    await sleep(ms, AbortSignal.any(signals));
  } catch (error) {
    options.signal?.throwIfAborted();
    if (!early.signal.aborted) throw error;
  } finally {
    off?.();
  }
}
