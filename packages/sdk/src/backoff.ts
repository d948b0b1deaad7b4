/** Exponential backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** The delay before the first retry, before jitter. */
  baseMs: number;
  /** The longest delay, before jitter. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 10_000 };

/**
 * The delay before retry number `attempt` (0 for the first): `min(cap, base * 2^attempt)`, of which
 * a random half is dropped ("equal jitter") so that clients cut off together do not come back
 * together, while no retry comes sooner than half the nominal delay.
 *
 * @example backoffDelay(0) // 250..500 ms; backoffDelay(10) // 5..10 s
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const nominal = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason when it aborts first.
 *
 * @example await sleep(1000, controller.signal)
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
