/**
 * When each send of an open-loop load is due: the i-th at `start + i / rate`, whether or not
 * earlier sends were answered. Latency is measured from these intended times, so a sender that
 * falls behind (a stalled server, a busy generator) shows up as latency instead of silently
 * sending less (coordinated omission).
 */
export class OpenLoopSchedule {
  /** Sends handed out so far. */
  private issued = 0;
  readonly total: number;
  private readonly intervalMs: number;

  constructor(
    readonly ratePerSec: number,
    readonly startMs: number,
    readonly durationMs: number,
  ) {
    if (!(ratePerSec > 0) || !(durationMs > 0))
      throw new RangeError('Rate and duration must be > 0');
    this.intervalMs = 1000 / ratePerSec;
    this.total = Math.round((ratePerSec * durationMs) / 1000);
  }

  /** Intended times of the sends that fell due since the last call, oldest first. */
  due(nowMs: number): number[] {
    const times: number[] = [];
    while (this.issued < this.total) {
      const at = this.startMs + this.issued * this.intervalMs;
      if (at > nowMs) break;
      times.push(at);
      this.issued += 1;
    }
    return times;
  }

  get done(): boolean {
    return this.issued >= this.total;
  }

  /** The intended time of the next send; Infinity when all are issued. */
  get nextAt(): number {
    return this.done ? Infinity : this.startMs + this.issued * this.intervalMs;
  }
}
