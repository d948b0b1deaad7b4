import type { Membership } from './memberships.js';
import { membershipRange, type UpdateRow } from './store.js';

/**
 * What one held update costs beside its payload's characters: the entry, its slots in two
 * indexes, and the head of the bus frame its payload is sliced from (which it keeps alive).
 */
const ENTRY_BYTES = 160;

/** Strings take one or two bytes a character on the heap; two keeps the budget an upper bound. */
const sizeOf = (payload: string) => payload.length * 2 + ENTRY_BYTES;

interface Entry extends UpdateRow {
  /** Rewritten when the message it carries is edited or deleted. */
  payload: string;
  /** The message it is about (`chat_updates.about_seq`): not for members who joined after it. */
  readonly aboutSeq: number | undefined;
  /** The index that holds it (per chat or per user) and its key there, to unindex it. */
  readonly index: Map<string, Queue<Entry>>;
  readonly key: string;
}

/**
 * The most recently published updates, in memory, so that most catch-ups read no update rows
 * from the database. It is fed every update after commit, in pts order, indexes them per chat
 * and per user, and evicts the oldest when they outgrow a byte budget.
 *
 * Invariant: it holds every update with `evictedThrough < pts <= publishedThrough`.
 *
 * That needs the feed to come in pts order with nothing missing, as one node's bus delivers
 * commits (LocalBus, publishing after each commit in commit order, which is pts order). A node
 * of a cluster sees only the updates of the chats and users it follows, so config turns this
 * cache off there (docs/adr/007-cluster-delivery.md).
 */
export class RecentUpdates {
  private readonly all = new Queue<Entry>();
  private readonly byChat = new Map<string, Queue<Entry>>();
  private readonly byUser = new Map<string, Queue<Entry>>();
  private bytes = 0;
  private started = false;
  private evicted = 0;
  private published = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * Nothing at or below this is held: the highest pts evicted, or the pts current when the feed
   * started. Unbounded until `start`: before that the cache cannot vouch for anything.
   */
  get evictedThrough(): number {
    return this.started ? this.evicted : Infinity;
  }

  /** The highest pts fed: every update at or below it has been published. */
  get publishedThrough(): number {
    return this.published;
  }

  /**
   * Called once, with the pts counter read after the feed was subscribed: updates above it are
   * committed later, so published later, so fed; what it knows at or below it is dropped.
   */
  start(currentPts: number): void {
    this.started = true;
    this.evictThrough(currentPts);
  }

  /** Whether it holds every update after `pts` up to `publishedThrough`. */
  covers(pts: number): boolean {
    return pts >= this.evictedThrough;
  }

  addChatUpdate(pts: number, chatId: string, payload: string, aboutSeq?: number): void {
    this.add(this.byChat, chatId, pts, payload, aboutSeq);
  }

  addUserUpdate(pts: number, userId: string, payload: string): void {
    this.add(this.byUser, userId, pts, payload, undefined);
  }

  /**
   * Replaces a held chat update's payload: the `message.new` of a message since edited or deleted
   * is replayed as the message now is (the log row was rewritten in the same transaction).
   */
  rewriteChatUpdate(pts: number, chatId: string, payload: string): void {
    const list = this.byChat.get(chatId);
    const index = list?.firstAbove(pts - 1) ?? 0;
    if (!list || index >= list.length || list.at(index).pts !== pts) return;
    const entry = list.at(index);
    this.bytes += sizeOf(payload) - sizeOf(entry.payload);
    entry.payload = payload;
  }

  /** Drops every update at or below `pts` and never serves from below it (pruning). */
  evictThrough(pts: number): void {
    while (this.all.length > 0 && this.all.at(0).pts <= pts) this.evictOldest();
    this.evicted = Math.max(this.evicted, pts);
  }

  /**
   * What `readUpdatesSince` would read from the database for the same arguments: the user's own
   * updates and those of `memberships` within each window, after `pts` and at most `through`,
   * oldest first, at most `limit`. Only meaningful when `covers(pts)` and `through` is at most
   * `publishedThrough`.
   */
  read(
    userId: string,
    memberships: readonly Membership[],
    pts: number,
    through: number,
    limit: number,
  ): UpdateRow[] {
    const runs: Run[] = [];
    const addRun = (
      list: Queue<Entry> | undefined,
      after: number,
      upTo: number,
      joinedSeq: number,
    ) => {
      if (!list || after >= upTo) return;
      const run = { list, next: list.firstAbove(after), end: list.firstAbove(upTo), joinedSeq };
      if (run.next < run.end) runs.push(run);
    };
    addRun(this.byUser.get(userId), pts, through, 0);
    for (const m of memberships) {
      const range = membershipRange(m, pts, through);
      addRun(this.byChat.get(m.chatId), range.after, range.through, m.joinedSeq);
    }
    // Merge by pts: each step takes the oldest next update among the runs (a few dozen chats).
    const nextPts = (run: Run) => run.list.at(run.next).pts;
    const rows: UpdateRow[] = [];
    while (rows.length < limit && runs.length > 0) {
      let oldest = 0;
      for (let i = 1; i < runs.length; i++) {
        if (nextPts(runs[i]!) < nextPts(runs[oldest]!)) oldest = i;
      }
      const run = runs[oldest]!;
      const entry = run.list.at(run.next++);
      // As the database read: updates about messages from before the member joined are not theirs.
      if (entry.aboutSeq === undefined || entry.aboutSeq > run.joinedSeq) rows.push(entry);
      if (run.next === run.end) runs.splice(oldest, 1);
    }
    return rows;
  }

  private add(
    index: Map<string, Queue<Entry>>,
    key: string,
    pts: number,
    payload: string,
    aboutSeq: number | undefined,
  ): void {
    // Out of pts order, the feed broke the contract above. Whatever was served without this
    // update is past helping, but forgetting up to the newest stops serving the gap again.
    if (pts <= this.published) this.evictThrough(this.published);
    this.published = Math.max(this.published, pts);
    if (pts <= this.evicted) return;
    const entry: Entry = { pts, payload, aboutSeq, index, key };
    let list = index.get(key);
    if (!list) index.set(key, (list = new Queue()));
    list.push(entry);
    this.all.push(entry);
    this.bytes += sizeOf(payload);
    while (this.bytes > this.maxBytes) this.evictOldest();
  }

  /** The oldest entry overall is also the oldest of its chat or user. */
  private evictOldest(): void {
    const entry = this.all.shift();
    const list = entry.index.get(entry.key)!;
    list.shift();
    if (list.length === 0) entry.index.delete(entry.key);
    this.bytes -= sizeOf(entry.payload);
    this.evicted = entry.pts;
  }
}

/** The part of one chat's or user's list that a read takes: indexes `next` up to `end`. */
interface Run {
  list: Queue<Entry>;
  next: number;
  end: number;
  /** The member's, for a chat's run; 0 for the user's own. */
  joinedSeq: number;
}

/** An array in pts order that drops from the front in amortized constant time. */
class Queue<T extends { pts: number }> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  at(index: number): T {
    return this.items[this.head + index]!;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    // Copy the rest down once the dropped part is half the array: amortized constant time.
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The index of the first item with a pts above `pts` (`length` if none). */
  firstAbove(pts: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).pts <= pts) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
