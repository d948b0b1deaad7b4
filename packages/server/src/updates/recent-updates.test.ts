import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentUpdates } from './recent-updates.js';
import type { Membership } from './memberships.js';
import type { UpdateRow } from './store.js';

const payload = (pts: number, size = 0) => `{"n":${pts},"pad":"${'x'.repeat(size)}"}`;
const points = (rows: readonly UpdateRow[]) => rows.map((row) => row.pts);
const member = (chatId: string, joinedPts = 1, leftPts: number | null = null): Membership => ({
  chatId,
  joinedSeq: 0,
  joinedPts,
  leftPts,
});

/** One update of the log as the bus publishes it: to a chat, or to one user. */
interface Published {
  pts: number;
  to: 'chat' | 'user';
  key: string;
  payload: string;
}

function feed(cache: RecentUpdates, log: readonly Published[]): void {
  for (const u of log) {
    if (u.to === 'chat') cache.addChatUpdate(u.pts, u.key, u.payload);
    else cache.addUserUpdate(u.pts, u.key, u.payload);
  }
}

/** What `readUpdatesSince` selects from the database, over a plain list. */
function fromLog(
  log: readonly Published[],
  userId: string,
  memberships: readonly Membership[],
  pts: number,
  through: number,
  limit: number,
): number[] {
  const inWindow = (u: Published) => {
    if (u.to === 'user') return u.key === userId && u.pts > pts && u.pts <= through;
    const m = memberships.find((m) => m.chatId === u.key);
    if (!m) return false;
    const after = Math.max(pts, m.joinedPts - 1);
    return u.pts > after && u.pts <= Math.min(m.leftPts ?? through, through);
  };
  return log
    .filter(inWindow)
    .map((u) => u.pts)
    .slice(0, limit);
}

describe('RecentUpdates', () => {
  it("serves a user's own updates and their chats' within each membership window, by pts", () => {
    const cache = new RecentUpdates(1 << 20);
    cache.start(10);
    cache.addChatUpdate(11, 'a', payload(11));
    cache.addChatUpdate(12, 'b', payload(12));
    cache.addChatUpdate(13, 'a', payload(13)); // Their joining a.
    cache.addUserUpdate(14, 'u', payload(14));
    cache.addChatUpdate(15, 'b', payload(15)); // Their leaving b.
    cache.addChatUpdate(16, 'a', payload(16));
    cache.addChatUpdate(17, 'b', payload(17));
    cache.addUserUpdate(18, 'v', payload(18));
    cache.addChatUpdate(19, 'c', payload(19)); // Not theirs.
    const memberships = [member('a', 13), member('b', 1, 15)];

    const rows = cache.read('u', memberships, 10, cache.publishedThrough, 100);
    expect(points(rows)).toEqual([12, 13, 14, 15, 16]);
    expect(rows[0]!.payload).toBe(payload(12));
    expect(points(cache.read('u', memberships, 10, 19, 2))).toEqual([12, 13]);
    expect(points(cache.read('u', memberships, 13, 19, 100))).toEqual([14, 15, 16]);
  });

  it('never returns an update above the bound it is given', () => {
    const cache = new RecentUpdates(1 << 20);
    cache.start(0);
    for (let pts = 1; pts <= 6; pts++) cache.addChatUpdate(pts, 'a', payload(pts));
    cache.addUserUpdate(7, 'u', payload(7));
    expect(points(cache.read('u', [member('a')], 0, 4, 100))).toEqual([1, 2, 3, 4]);
    expect(points(cache.read('u', [member('a')], 4, 6, 100))).toEqual([5, 6]);
    expect(points(cache.read('u', [member('a')], 6, 6, 100))).toEqual([]);
  });

  it('covers nothing until started, and nothing at or below the pts it started from', () => {
    const cache = new RecentUpdates(1 << 20);
    cache.addChatUpdate(3, 'a', payload(3));
    cache.addChatUpdate(6, 'a', payload(6));
    expect(cache.covers(3)).toBe(false);

    cache.addChatUpdate(8, 'a', payload(8));
    cache.start(6);
    expect(cache.evictedThrough).toBe(6);
    expect(cache.publishedThrough).toBe(8);
    expect(cache.covers(5)).toBe(false);
    expect(points(cache.read('u', [member('a')], 6, 8, 100))).toEqual([8]);
  });

  it('evicts the oldest first to stay within its byte budget', () => {
    // Each update costs its characters twice plus a fixed overhead: room for about three.
    const size = 2 * payload(10).length + 160;
    const cache = new RecentUpdates(3 * size);
    cache.start(10);
    for (let pts = 11; pts <= 20; pts++)
      cache.addChatUpdate(pts, pts % 2 ? 'a' : 'b', payload(pts));

    expect(cache.evictedThrough).toBe(17);
    expect(cache.covers(16)).toBe(false);
    const everything = [member('a'), member('b')];
    expect(points(cache.read('u', everything, 17, 20, 100))).toEqual([18, 19, 20]);
  });

  it('forgets what was pruned', () => {
    const cache = new RecentUpdates(1 << 20);
    cache.start(0);
    for (let pts = 1; pts <= 5; pts++) cache.addUserUpdate(pts, 'u', payload(pts));
    cache.evictThrough(3);
    expect(cache.covers(2)).toBe(false);
    expect(points(cache.read('u', [], 3, 5, 100))).toEqual([4, 5]);
  });

  it('stops serving what came before an update fed out of pts order', () => {
    const cache = new RecentUpdates(1 << 20);
    cache.start(0);
    cache.addChatUpdate(1, 'a', payload(1));
    cache.addChatUpdate(3, 'a', payload(3));
    cache.addChatUpdate(2, 'a', payload(2));
    expect(cache.covers(1)).toBe(false);
    expect(cache.evictedThrough).toBe(3);
    cache.addChatUpdate(4, 'a', payload(4));
    expect(points(cache.read('u', [member('a')], 3, 4, 100))).toEqual([4]);
  });

  it('reads what the log holds for any window it covers, whatever it evicted', () => {
    const chats = ['a', 'b', 'c'];
    const update = fc.record({
      gap: fc.integer({ min: 1, max: 3 }),
      to: fc.constantFrom('chat' as const, 'user' as const),
      key: fc.integer({ min: 0, max: 2 }),
      size: fc.nat(60),
    });
    const window = fc.record({ joined: fc.nat(150), length: fc.option(fc.nat(150)) });
    fc.assert(
      fc.property(
        fc.array(update, { maxLength: 60 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.option(window), { minLength: 3, maxLength: 3 }),
        fc.nat(150),
        fc.nat(150),
        fc.integer({ min: 1, max: 12 }),
        (updates, maxBytes, windows, pts, throughBack, limit) => {
          const log: Published[] = [];
          let last = 5;
          for (const u of updates) {
            last += u.gap;
            const key = u.to === 'chat' ? chats[u.key]! : ['u', 'v', 'w'][u.key]!;
            log.push({ pts: last, to: u.to, key, payload: payload(last, u.size) });
          }
          const cache = new RecentUpdates(maxBytes);
          cache.start(5);
          feed(cache, log);

          const memberships = windows.flatMap((w, i) =>
            w ? [member(chats[i]!, w.joined, w.length === null ? null : w.joined + w.length)] : [],
          );
          const through = Math.max(0, cache.publishedThrough - throughBack);
          if (cache.covers(pts)) {
            const rows = cache.read('u', memberships, pts, through, limit);
            expect(points(rows)).toEqual(fromLog(log, 'u', memberships, pts, through, limit));
          }
          // The invariant: everything after evictedThrough is held.
          const from = Math.max(5, cache.evictedThrough);
          const held = [
            ...cache.read(
              'u',
              chats.map((c) => member(c)),
              from,
              last,
              Infinity,
            ),
            ...cache.read('v', [], from, last, Infinity),
            ...cache.read('w', [], from, last, Infinity),
          ].map((row) => row.pts);
          expect(held.sort((x, y) => x - y)).toEqual(
            log.filter((u) => u.pts > from).map((u) => u.pts),
          );
        },
      ),
    );
  });
});
