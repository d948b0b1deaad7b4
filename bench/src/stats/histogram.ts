/**
 * A latency histogram with log-linear buckets (the HdrHistogram layout): values are kept in whole
 * microseconds, exactly below 256 µs and in 128 buckets per power of two above, so a percentile
 * is never below the true value and at most 1/128 (0.8 %) above it. Fixed memory however many
 * values it holds; histograms from several generator processes merge by adding counts.
 */

const EXACT = 256;
const SUB_BUCKETS = 128;
/** Values above this (about 12 days in µs) are clamped to it. */
const MAX_MICROS = 2 ** 40;
const BUCKETS = bucketOf(MAX_MICROS) + 1;

/** What crosses process boundaries: non-empty buckets only. */
export interface HistogramData {
  buckets: [index: number, count: number][];
  count: number;
  sumMicros: number;
  minMicros: number;
  maxMicros: number;
}

/**
 * The nearest-rank percentile's rank: the smallest k (1-based) such that at least p % of n sorted
 * values are at or below the k-th. The tolerance keeps 99.9 % of 1,000 at rank 999, not 1,000.
 */
export function percentileRank(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p * n) / 100 - 1e-9)));
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sumMicros = 0;
  private minMicros = Infinity;
  private maxMicros = 0;

  /** Records one value in milliseconds (negative values, from clock jitter, count as 0). */
  record(ms: number): void {
    const micros = Math.min(MAX_MICROS, Math.max(0, Math.round(ms * 1000)));
    this.counts[bucketOf(micros)]! += 1;
    this.total += 1;
    this.sumMicros += micros;
    if (micros < this.minMicros) this.minMicros = micros;
    if (micros > this.maxMicros) this.maxMicros = micros;
  }

  get count(): number {
    return this.total;
  }

  /** Milliseconds; NaN when empty. */
  get min(): number {
    return this.total ? this.minMicros / 1000 : NaN;
  }

  get max(): number {
    return this.total ? this.maxMicros / 1000 : NaN;
  }

  get mean(): number {
    return this.total ? this.sumMicros / this.total / 1000 : NaN;
  }

  /** The nearest-rank p-th percentile (0–100) in milliseconds; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = percentileRank(p, this.total);
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return Math.min(highestIn(bucket), this.maxMicros) / 1000;
    }
    return this.maxMicros / 1000;
  }

  merge(other: Histogram | HistogramData): this {
    const data = other instanceof Histogram ? other.toJSON() : other;
    for (const [bucket, count] of data.buckets) this.counts[bucket]! += count;
    this.total += data.count;
    this.sumMicros += data.sumMicros;
    if (data.count > 0) {
      this.minMicros = Math.min(this.minMicros, data.minMicros);
      this.maxMicros = Math.max(this.maxMicros, data.maxMicros);
    }
    return this;
  }

  toJSON(): HistogramData {
    const buckets: [number, number][] = [];
    this.counts.forEach((count, bucket) => {
      if (count > 0) buckets.push([bucket, count]);
    });
    return {
      buckets,
      count: this.total,
      sumMicros: this.sumMicros,
      minMicros: this.total ? this.minMicros : 0,
      maxMicros: this.maxMicros,
    };
  }

  static from(data: HistogramData): Histogram {
    return new Histogram().merge(data);
  }

  /** p50, p95, p99, p99.9 and max, in milliseconds, rounded to 0.01. */
  summary(): LatencySummary {
    const at = (p: number) => round2(this.percentile(p));
    return {
      count: this.total,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
      max: round2(this.max),
    };
  }
}

export interface LatencySummary {
  count: number;
  /** Milliseconds; NaN (null in JSON) when nothing was measured. */
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function bucketOf(micros: number): number {
  if (micros < EXACT) return micros;
  const shift = highestBit(micros) - 7;
  return shift * SUB_BUCKETS + Math.floor(micros / 2 ** shift);
}

/** The largest value that falls into `bucket`. */
function highestIn(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const shift = Math.floor(bucket / SUB_BUCKETS) - 1;
  const sub = bucket - shift * SUB_BUCKETS;
  return (sub + 1) * 2 ** shift - 1;
}

/** floor(log2(value)) for integers up to 2^40, where Math.clz32 no longer reaches. */
function highestBit(value: number): number {
  let bit = Math.floor(Math.log2(value));
  if (2 ** bit > value) bit -= 1;
  else if (2 ** (bit + 1) <= value) bit += 1;
  return bit;
}
