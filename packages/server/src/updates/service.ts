import {
  LIMITS,
  type Difference,
  type MethodParams,
  type Update,
  type UpdateEnvelope,
} from '@tokki/protocol';
import type { Bus } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import type { Writer } from '../db/write-queue.js';
import type { Principal } from '../rpc/route.js';
import { RecentUpdates } from './recent-updates.js';
import { updateFrame, updatePayload } from './frames.js';
import { aboutSeq, logChatUpdate } from './log.js';
import type { ChatMembershipLog } from './memberships.js';
import * as store from './store.js';

export interface UpdatesOptions {
  /**
   * Keep the most recent updates in memory, within a byte budget, so that catch-up reads no
   * update rows from the database (recent-updates.ts); false reads every catch-up from there.
   * The cache must be fed every update in pts order, which only one node's local bus does: config
   * turns it off in a cluster.
   */
  recentUpdates: { maxBytes: number } | false;
  /** Chat membership as the log needs it, from the chats domain. */
  memberships: ChatMembershipLog;
}

/** A page of a user's updates: every one of theirs after the page's start, up to `through`. */
export interface UpdatesPage {
  rows: store.UpdateRow[];
  /** The bound the page was read to: pass it on to the next page of the same catch-up. */
  through: number;
  /**
   * Updates after the starting pts were pruned before or while the page was read, so it may have
   * gaps: the device must reload instead.
   */
  pruned: boolean;
}

/**
 * The update log. Every change a user can see is written once, as a chat update (read by every
 * member: fan-out on read) or a user update, at a pts taken from one server-wide counter, and
 * published on the bus after commit. Catch-up reads the log back from a pts, recent updates from
 * memory.
 */
export class UpdatesService {
  /** Undefined when turned off. */
  readonly recentUpdates: RecentUpdates | undefined;
  private readonly memberships: ChatMembershipLog;

  constructor(
    private readonly database: Database,
    private readonly bus: Bus,
    { recentUpdates, memberships }: UpdatesOptions,
  ) {
    this.memberships = memberships;
    if (recentUpdates) this.recentUpdates = this.feed(new RecentUpdates(recentUpdates.maxBytes));
  }

  /**
   * Appends an update to a chat's log and marks the chat changed at that pts.
   * `alsoUserIds` get it live even though they are no longer members (the member who left).
   */
  async appendChatUpdate(
    w: Writer,
    chatId: string,
    update: Update,
    alsoUserIds: string[] = [],
  ): Promise<number> {
    const pts = w.nextPts();
    await this.memberships.markChanged(w.sql, chatId, pts);
    const about = aboutSeq(update);
    const exceptUserIds =
      about === undefined ? [] : await this.memberships.joinedAfter(w.sql, chatId, about);
    await logChatUpdate(w, chatId, pts, update, alsoUserIds, { exceptUserIds });
    return pts;
  }

  /**
   * Blanks the text of every `message.edited` update of message `seq` (logged after `afterPts`,
   * its `message.new`), in the log and in memory: a message deleted for everyone leaves no text.
   */
  async eraseEditedTexts(w: Writer, chatId: string, seq: number, afterPts: number): Promise<void> {
    const rows = await w.sql.all<{ pts: number; payload: string }>(
      'select pts, payload from chat_updates where chat_id = ? and about_seq = ? and pts > ?',
      [chatId, seq, afterPts],
    );
    for (const row of rows) {
      const update = JSON.parse(row.payload) as Update;
      if (update.kind !== 'message.edited') continue;
      await this.rewriteChatUpdate(w, chatId, Number(row.pts), { ...update, text: '' });
    }
  }

  /**
   * Rewrites a stored chat update, so that catch-up replays what is true now: the `message.new`
   * of an edited message carries the new text, of a deleted one no text at all.
   */
  async rewriteChatUpdate(w: Writer, chatId: string, pts: number, update: Update): Promise<void> {
    const payload = JSON.stringify(update);
    await w.sql.run('update chat_updates set payload = ? where pts = ? and chat_id = ?', [
      payload,
      pts,
      chatId,
    ]);
    w.publish('chat.updateRewritten', { chatId, pts, payload });
  }

  async appendUserUpdate(w: Writer, userId: string, update: Update): Promise<number> {
    const pts = w.nextPts();
    const payload = JSON.stringify(update);
    await w.db
      .insertInto('user_updates')
      .values({ pts, user_id: userId, payload, created_at: w.now })
      .execute();
    w.publish('user.update', { userId, pts, frame: updateFrame(pts, payload), at: w.now });
    return pts;
  }

  /** The newest committed pts: a device that has applied everything is at this pts. */
  async currentPts(): Promise<number> {
    return store.readCounter(this.database.reader, 'pts');
  }

  /**
   * The caller's updates after `pts`, oldest first, at most `limit`; `tooLong` when some of them
   * were already pruned. Cost grows with the chats that changed since `pts`, not with history.
   */
  async getDifference(
    principal: Principal,
    { pts, limit = LIMITS.DIFFERENCE_PAGE_MAX }: MethodParams<'updates.getDifference'>,
  ): Promise<Difference> {
    const { reader } = this.database;
    const [pruned, current] = await Promise.all([
      store.readCounter(reader, 'pruned_pts'),
      store.readCounter(reader, 'pts'),
    ]);
    // Behind what is kept, or ahead of the server (its database was replaced): start over.
    if (pts < pruned || pts > current) return { kind: 'tooLong', pts: current };
    const {
      rows,
      through,
      pruned: prunedMeanwhile,
    } = await this.readFramesSince(principal.userId, pts, limit + 1);
    if (prunedMeanwhile) return { kind: 'tooLong', pts: current };
    const page = rows.slice(0, limit);
    const updates: UpdateEnvelope[] = page.map((row) => ({
      pts: row.pts,
      update: JSON.parse(row.payload) as Update,
    }));
    const final = rows.length <= limit;
    // With nothing left up to the bound, the caller is current as of the bound: anything after
    // it was not read, and the next call starts there.
    const nextPts = final ? Math.max(pts, through) : page.at(-1)!.pts;
    return { kind: 'updates', updates, pts: nextPts, final };
  }

  /**
   * A page of the caller's updates after `pts` as stored JSON (the gateway sends it without
   * re-serializing), at most `limit`, none above a bound: `through` when given (the first page's,
   * so that one catch-up has one bound), else one taken now.
   *
   * The bound is what keeps an update from being skipped. The reads below are not one snapshot
   * (one query per chat, concurrent on PostgreSQL): an update committed between two of them
   * could be missed by one while another returns a later pts, and a device that moved past that
   * later pts would then drop the missed one when it arrives live. With a bound taken first, every
   * update up to it was committed before the reads began, so they all see it; every update above
   * it is published after the bound was taken, so it reaches a session that registered before.
   */
  async readFramesSince(
    userId: string,
    pts: number,
    limit: number,
    through?: number,
  ): Promise<UpdatesPage> {
    const { reader } = this.database;
    const recent = this.recentUpdates;
    // From memory, the bound is what was published (all of it is held); from the database, the
    // counter (commits are ordered by its row lock, so everything up to it is committed).
    through ??= recent?.covers(pts)
      ? recent.publishedThrough
      : await store.readCounter(reader, 'pts');
    const memberships = await this.memberships.windowsAfter(reader, userId, pts);
    // Checked again: what was evicted while the memberships were read is read from the database.
    // A prune evicts the cache before it commits, so memory never serves what was pruned.
    if (recent?.covers(pts) && through <= recent.publishedThrough) {
      return {
        rows: recent.read(userId, memberships, pts, through, limit),
        through,
        pruned: false,
      };
    }
    const rows = await store.readUpdatesSince(reader, userId, memberships, pts, through, limit);
    // A prune commits at once; read after the rows, this tells whether it came before them.
    const pruned = pts < (await store.readCounter(reader, 'pruned_pts'));
    return { rows, through, pruned };
  }

  async prunedPts(): Promise<number> {
    return store.readCounter(this.database.reader, 'pruned_pts');
  }

  /** Drops updates written before `before` (ms); devices behind them must reload. */
  async prune(w: Writer, before: number): Promise<number> {
    const through = await store.pruneUpdates(w.db, before);
    // Forgotten before the commit: until then the cache serves less, never more, than the log.
    this.recentUpdates?.evictThrough(through);
    return through;
  }

  /** Subscribes `recent` to every published update, then starts it from the counter. */
  private feed(recent: RecentUpdates): RecentUpdates {
    this.bus.subscribe('chat.update', (m) =>
      recent.addChatUpdate(m.pts, m.chatId, updatePayload(m.frame, m.pts), m.aboutSeq),
    );
    this.bus.subscribe('user.update', (m) =>
      recent.addUserUpdate(m.pts, m.userId, updatePayload(m.frame, m.pts)),
    );
    this.bus.subscribe('chat.updateRewritten', (m) =>
      recent.rewriteChatUpdate(m.pts, m.chatId, m.payload),
    );
    // Until it starts it covers nothing. Should the read fail (the database closing), it never
    // does, and every catch-up reads the database.
    void store.readCounter(this.database.reader, 'pts').then(
      (pts) => recent.start(pts),
      () => {},
    );
    return recent;
  }
}
