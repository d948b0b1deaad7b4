export interface SequencerOptions {
  /** How long the position may wait on a missing pts before `onStall` is called. */
  stallMs: number;
  /**
   * The position is stuck below waiting messages or announcements: fill the gap or skip it.
   * Not called again until the promise settles.
   */
  onStall(position: number): Promise<void>;
}

interface Item {
  pts: number;
  key: string;
  release: () => void;
}

/**
 * Puts the messages of several publishers back in pts order (docs/adr/007). Every node
 * announces each batch it committed, `(after, through]`, after publishing its messages; the
 * **position** is the end of the unbroken run of announced batches. A message is released once
 * the position reaches its pts, so nothing is released before something it must follow.
 *
 * Messages at or below the position when they arrive are dropped: they came late (the gap they
 * were in was already read from the log) or twice (one message can reach a node on two subjects;
 * `key` tells copies apart).
 */
export class Sequencer {
  /** Announced batches above the position, by the pts they start after. */
  private readonly batches = new Map<number, number>();
  /** Waiting messages, in (pts, arrival) order. */
  private items: Item[] = [];
  private readonly keys = new Set<string>();
  private stallTimer: NodeJS.Timeout | undefined;
  private handlingStall = false;

  constructor(
    private at: number,
    private readonly options: SequencerOptions,
  ) {}

  /** Every pts up to here is released (or was before this node started). */
  get position(): number {
    return this.at;
  }

  /** Whether anything waits for the position to move. */
  get waiting(): boolean {
    return this.items.length > 0 || this.batches.size > 0;
  }

  add(pts: number, key: string, release: () => void): void {
    if (pts <= this.at || this.keys.has(key)) return;
    this.keys.add(key);
    const item = { pts, key, release };
    // Messages come nearly in order: look for the place from the end.
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.pts > pts) i--;
    this.items.splice(i, 0, item);
    this.watchForStall();
  }

  announce(after: number, through: number): void {
    if (through <= this.at) return;
    this.batches.set(after, through);
    this.advance();
  }

  /**
   * Everything up to `through` is accounted for (read from the log, or to be read by every
   * session): the position moves there, releasing what waited below it.
   */
  skipTo(through: number): void {
    if (through <= this.at) return;
    for (const [after, end] of this.batches) {
      if (end <= through) this.batches.delete(after);
      else if (after < through) {
        this.batches.delete(after);
        this.batches.set(through, end);
      }
    }
    this.at = through;
    this.advance();
  }

  close(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.items = [];
    this.keys.clear();
    this.batches.clear();
  }

  private advance(): void {
    const before = this.at;
    for (let next = this.batches.get(this.at); next !== undefined;) {
      this.batches.delete(this.at);
      this.at = next;
      next = this.batches.get(this.at);
    }
    let released = 0;
    while (released < this.items.length && this.items[released]!.pts <= this.at) released++;
    if (released > 0) {
      const ready = this.items.splice(0, released);
      for (const item of ready) {
        this.keys.delete(item.key);
        item.release();
      }
    }
    if (this.at !== before) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
    this.watchForStall();
  }

  private watchForStall(): void {
    if (this.stallTimer || this.handlingStall || !this.waiting) return;
    const position = this.at;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      if (this.at !== position || !this.waiting) return this.watchForStall();
      this.handlingStall = true;
      void this.options.onStall(position).finally(() => {
        this.handlingStall = false;
        this.watchForStall();
      });
    }, this.options.stallMs);
    this.stallTimer.unref();
  }
}
