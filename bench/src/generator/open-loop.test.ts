import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenLoopSchedule } from './open-loop.js';

describe('OpenLoopSchedule', () => {
  it('hands out rate × duration sends at their intended times, however often it is polled', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 1, maxLength: 400 }),
        (rate, durationMs, gaps) => {
          const schedule = new OpenLoopSchedule(rate, 1_000, durationMs);
          const times: number[] = [];
          let now = 1_000;
          for (const gap of gaps) {
            now += gap;
            for (const at of schedule.due(now)) {
              expect(at <= now).toBe(true);
              times.push(at);
            }
          }
          for (const at of schedule.due(Infinity)) times.push(at);
          expect(times).toHaveLength(Math.round((rate * durationMs) / 1000));
          expect(schedule.done).toBe(true);
          // Evenly spaced from the start, in order: no send is skipped or bunched up.
          const worst = Math.max(
            0,
            ...times.map((at, i) => Math.abs(at - (1_000 + (i * 1000) / rate))),
          );
          expect(worst).toBeLessThan(1e-6);
        },
      ),
    );
  });

  it('gives nothing before the start', () => {
    const schedule = new OpenLoopSchedule(100, 500, 1_000);
    expect(schedule.due(499)).toEqual([]);
    expect(schedule.due(500)).toEqual([500]);
    expect(schedule.nextAt).toBe(510);
  });
});
