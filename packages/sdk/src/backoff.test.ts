import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, sleep } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap', () => {
    const top = () => 1; // no jitter taken off
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, DEFAULT_BACKOFF, top))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('stays between half and all of the nominal delay, never above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const nominal = Math.min(10_000, 500 * 2 ** Math.min(attempt, 30));
          const delay = backoffDelay(attempt, DEFAULT_BACKOFF, () => r);
          expect(delay).toBeGreaterThanOrEqual(nominal / 2);
          expect(delay).toBeLessThanOrEqual(nominal);
        },
      ),
    );
  });

  it('spreads clients that retry together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
  });
});
