import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Histogram, percentileRank } from './histogram.js';

/** Latencies as the harness sees them: mostly small, with a long tail up to minutes. */
const latencyMs = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 50, noNaN: true }),
  fc.double({ min: 0, max: 300_000, noNaN: true }),
  fc.integer({ min: 0, max: 5_000 }),
);
const percentiles = [0, 1, 50, 90, 95, 99, 99.9, 99.99, 100];

/** The brute-force answer: sort the values (as whole µs, like the histogram) and index. */
function exactPercentileMicros(values: number[], p: number): number {
  const sorted = values.map((ms) => Math.round(ms * 1000)).sort((a, b) => a - b);
  return sorted[percentileRank(p, sorted.length) - 1]!;
}

describe('Histogram', () => {
  it('counts every value and reports percentiles within 1/128 above the sorted truth', () => {
    fc.assert(
      fc.property(
        fc.array(latencyMs, { minLength: 1, maxLength: 2_000 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, randomP) => {
          const histogram = new Histogram();
          for (const value of values) histogram.record(value);
          expect(histogram.count).toBe(values.length);
          for (const p of [...percentiles, randomP]) {
            const exact = exactPercentileMicros(values, p);
            const measured = Math.round(histogram.percentile(p) * 1000);
            expect(measured).toBeGreaterThanOrEqual(exact);
            expect(measured - exact).toBeLessThanOrEqual(exact / 128);
          }
          const micros = values.map((ms) => Math.round(ms * 1000));
          expect(histogram.min * 1000).toBeCloseTo(Math.min(...micros), 6);
          expect(histogram.max * 1000).toBeCloseTo(Math.max(...micros), 6);
          const mean = micros.reduce((a, b) => a + b, 0) / micros.length / 1000;
          expect(histogram.mean).toBeCloseTo(mean, 6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('merges across processes as if every value had been recorded in one', () => {
    fc.assert(
      fc.property(fc.array(fc.array(latencyMs, { maxLength: 300 }), { maxLength: 5 }), (parts) => {
        const whole = new Histogram();
        const merged = new Histogram();
        for (const part of parts) {
          const piece = new Histogram();
          for (const value of part) {
            piece.record(value);
            whole.record(value);
          }
          // The way it travels over IPC: structured clone of the JSON form.
          merged.merge(structuredClone(piece.toJSON()));
        }
        expect(merged.toJSON()).toEqual(whole.toJSON());
        for (const p of percentiles) expect(merged.percentile(p)).toEqual(whole.percentile(p));
      }),
    );
  });

  it('is empty until something is recorded, and clamps negative values to zero', () => {
    const histogram = new Histogram();
    expect(histogram.count).toBe(0);
    expect(histogram.percentile(99)).toBeNaN();
    expect(histogram.summary().p50).toBeNaN();
    histogram.record(-0.3);
    expect(histogram.percentile(50)).toBe(0);
  });

  it('uses nearest-rank percentiles', () => {
    expect(percentileRank(50, 4)).toBe(2);
    expect(percentileRank(99.9, 1_000)).toBe(999);
    expect(percentileRank(100, 7)).toBe(7);
    expect(percentileRank(0, 7)).toBe(1);
    // Below 256 µs every microsecond has its own bucket, so these are exact.
    const histogram = new Histogram();
    for (const ms of [0.01, 0.02, 0.03, 0.04]) histogram.record(ms);
    expect(histogram.percentile(50)).toBe(0.02);
    expect(histogram.percentile(75)).toBe(0.03);
    expect(histogram.percentile(76)).toBe(0.04);
  });
});
