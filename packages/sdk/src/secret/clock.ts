/**
 * The time self-destruct runs on. Injectable so that tests (and a web app's "read" time) control
 * it: a message is deleted `timer` seconds after it was read, by this clock.
 */
export interface SecretClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once `ms` have passed on this clock; the returned function cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

/** The real clock. */
export const systemClock: SecretClock = {
  now: () => Date.now(),
  schedule(callback, ms) {
    // setTimeout's limit is 2^31 - 1 ms (24.8 days); a week's timer is well within it.
    const handle = setTimeout(callback, Math.min(ms, 2 ** 31 - 1));
    return () => clearTimeout(handle);
  },
};

/**
 * A clock that moves only when told to, for tests: `advance` runs what falls due, in order.
 *
 * @example
 * const clock = new ManualClock(Date.now())
 * clock.advance(5_000)
 */
export class ManualClock implements SecretClock {
  #now: number;
  #next = 0;
  readonly #due = new Map<number, { at: number; callback: () => void }>();

  constructor(now = 0) {
    this.#now = now;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): () => void {
    const id = this.#next++;
    this.#due.set(id, { at: this.#now + Math.max(0, ms), callback });
    return () => this.#due.delete(id);
  }

  /** Moves the clock forward and runs every callback that fell due, earliest first. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = [...this.#due.entries()]
        .filter(([, entry]) => entry.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.#due.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].callback();
    }
    this.#now = until;
  }
}
