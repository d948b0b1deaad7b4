/**
 * The highest pts a device has applied. Updates arrive in pts order but may arrive twice (a
 * catch-up overlapping live delivery, a resend after a reconnect); `advance` accepts each pts once.
 *
 * @example
 * const cursor = new PtsCursor(10)
 * cursor.advance(11) // true: apply it
 * cursor.advance(11) // false: seen already
 */
export class PtsCursor {
  #pts: number | undefined;

  constructor(pts?: number) {
    this.#pts = pts;
  }

  /** The highest pts applied; undefined on a device that has never synced. */
  get value(): number | undefined {
    return this.#pts;
  }

  /** Moves forward to `pts` and returns true, or returns false if `pts` is not newer. */
  advance(pts: number): boolean {
    if (this.#pts !== undefined && pts <= this.#pts) return false;
    this.#pts = pts;
    return true;
  }

  /** Sets the pts unconditionally: after a reload, or to forget it (undefined). */
  reset(pts: number | undefined): void {
    this.#pts = pts;
  }
}
