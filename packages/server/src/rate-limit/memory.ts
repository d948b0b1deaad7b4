import type { RateLimit } from './rate-limit.js';

interface Window {
  start: number;
  count: number;
}

/**
 * Fixed windows counted in this process's memory: for calls too frequent to pay a database write
 * each (sends, typing). Unlike `hitRateLimit`, a count is per node and lost on restart: a user
 * whose devices are on two nodes gets the limit on each. Hand-written rather than a library's
 * because the abuse script (bench/src/abuse/) steps its clock through a day.
 */
export class MemoryRateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number = Date.now,
  ) {
    this.lastSweep = clock();
  }

  /**
   * Counts `cost` hits for `key`, all or none. Returns 0 when allowed, else the seconds until
   * the window resets (a whole window when `cost` alone is over the limit), as `hitRateLimit`.
   */
  hit(key: string, cost = 1): number {
    const { max, windowSeconds } = this.limit;
    if (cost > max) return windowSeconds;
    const now = this.clock();
    const windowMs = windowSeconds * 1000;
    this.sweep(now, windowMs);
    const window = this.windows.get(key);
    if (!window || now - window.start >= windowMs) {
      if (cost > 0) this.windows.set(key, { start: now, count: cost });
      return 0;
    }
    if (window.count + cost > max)
      return Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    window.count += cost;
    return 0;
  }

  /** Forgets windows that have ended, once per window length: memory follows active users. */
  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) {
      if (now - window.start >= windowMs) this.windows.delete(key);
    }
  }
}
