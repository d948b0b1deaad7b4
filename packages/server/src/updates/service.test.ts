import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat, Difference } from '@tokki/protocol';
import type { Database } from '../db/database.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { chatMembershipLog } from '../chats/log-memberships.js';
import { UpdatesService, type UpdatesPage } from './service.js';

/** A small seeded generator, so that a failing history replays the same. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a caller can observe of a page (memory hands out its own entries). */
const plain = ({ rows, through }: UpdatesPage) => ({
  rows: rows.map(({ pts, payload }) => ({ pts, payload })),
  through,
});

/**
 * The server's database with a reader that holds back the queries `hold` picks until
 * `release()`; `reached` resolves once one is held, and `done` once `signal` picks a query
 * that has finished.
 */
function withHeldReads(
  database: Database,
  hold: (sql: string, params: readonly unknown[]) => boolean,
  signal: (sql: string, params: readonly unknown[]) => boolean = () => false,
) {
  let release!: () => void;
  let reachedHold!: () => void;
  let finished!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => (reachedHold = resolve));
  const done = new Promise<void>((resolve) => (finished = resolve));
  const reader: SqlRunner = {
    get: (sql, params) => database.reader.get(sql, params),
    run: (sql, params) => database.reader.run(sql, params),
    all: async <T>(sql: string, params: readonly unknown[]) => {
      if (hold(sql, params)) {
        reachedHold();
        await released;
      }
      const rows = await database.reader.all<T>(sql, params);
      if (signal(sql, params)) finished();
      return rows;
    },
  };
  return { database: { ...database, reader }, reached, done, release };
}

describe.each(testDialects)('catch-up on %s', (dialect) => {
  let s: TestServer;
  let users: TestUser[];
  const { call } = testClient(() => s);
  const send = async (chat: Chat, from: TestUser, text: string) =>
    (await call('messages.send', { chatId: chat.id, clientMsgId: text, text }, from)).message;

  /** A service on the server's database and bus; its cache (unless off) started. */
  async function updatesService(
    recentUpdates: { maxBytes: number } | false,
    database: Database = s.server.ctx.database,
  ): Promise<UpdatesService> {
    const service = new UpdatesService(database, s.server.ctx.bus, {
      recentUpdates,
      memberships: chatMembershipLog,
    });
    if (recentUpdates) {
      await vi.waitFor(() => expect(service.recentUpdates!.evictedThrough).toBeLessThan(Infinity));
    }
    return service;
  }

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    users = await Promise.all([1, 2, 3, 4, 5].map((n) => signInTestUser(s.url, n)));
  });
  afterAll(() => s?.close());

  it('can run without the cache (recentUpdatesBytes: 0), reading catch-up from the database', async () => {
    const plain = await startTestServer({ dialect, config: { recentUpdatesBytes: 0 } });
    try {
      expect(plain.server.ctx.updates.recentUpdates).toBeUndefined();
      const [dana, a] = await Promise.all([
        signInTestUser(plain.url, 1),
        signInTestUser(plain.url, 2),
      ]);
      const { call } = testClient(() => plain);
      const chat = await call('chats.createDirect', { userId: dana.userId }, a);
      const { pts } = await call('updates.getState', {}, dana);
      await call('messages.send', { chatId: chat.id, clientMsgId: 'x', text: 'hi' }, a);
      const difference = await call('updates.getDifference', { pts }, dana);
      expect(difference).toMatchObject({ kind: 'updates', final: true });
      expect(difference.kind === 'updates' && difference.updates).toHaveLength(1);
    } finally {
      await plain.close();
    }
  });

  // Hundreds of writes and thousands of reads: seconds on a quiet machine, more on a busy one.
  it('reads the same from memory as from the database, across joins, leaves and evictions', async () => {
    const ctx = s.server.ctx;
    const fromDatabase = await updatesService(false);
    const small = await updatesService({ maxBytes: 12_000 });
    const start = await ctx.updates.currentPts();
    const random = seeded(dialect === 'sqlite' ? 4 : 44);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;

    // Four groups with some of the five users; members come, go and come back.
    const members = new Map<Chat, Set<TestUser>>();
    for (let g = 0; g < 4; g++) {
      const owner = pick(users);
      const others = users.filter((u) => u !== owner && random() < 0.5);
      const chat = await call(
        'chats.createGroup',
        { title: `Group ${g}`, memberIds: others.map((u) => u.userId) },
        owner,
      );
      members.set(chat, new Set([owner, ...others]));
    }
    const chats = [...members.keys()];
    for (let step = 0; step < 120; step++) {
      const chat = pick(chats);
      const inside = [...members.get(chat)!];
      const outside = users.filter((u) => !members.get(chat)!.has(u));
      const roll = random();
      if (roll < 0.15 && outside.length > 0) {
        const joining = pick(outside);
        await call(
          'chats.addMembers',
          { chatId: chat.id, userIds: [joining.userId] },
          pick(inside),
        );
        members.get(chat)!.add(joining);
      } else if (roll < 0.3 && inside.length > 1) {
        const leaving = pick(inside);
        await call('chats.leave', { chatId: chat.id }, leaving);
        members.get(chat)!.delete(leaving);
      } else if (roll < 0.4) {
        await call('profile.update', { statusMessage: `step ${step}` }, pick(users));
      } else if (roll < 0.45) {
        await call('chats.rename', { chatId: chat.id, title: `Step ${step}` }, pick(inside));
      } else {
        // A burst of sends and read receipts, committed together.
        await Promise.all(
          Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) =>
            random() < 0.8
              ? send(chat, pick(inside), `s${step}-${i}`)
              : call('messages.markRead', { chatId: chat.id, seq: 1 + i }, pick(inside)),
          ),
        );
      }
    }
    const end = await ctx.updates.currentPts();
    expect(ctx.updates.recentUpdates!.publishedThrough).toBe(end);
    expect(small.recentUpdates!.evictedThrough).toBeGreaterThan(start);

    // Every starting pts, each user, bounds and limits drawn at random.
    const fromMemory = new Map([
      [ctx.updates, 0],
      [small, 0],
    ]);
    for (let pts = start; pts <= end; pts++) {
      for (const user of users) {
        const through = pts + Math.floor(random() * (end - pts + 1));
        const limit = pick([1, 2, 5, 1000]);
        const expected = plain(
          await fromDatabase.readFramesSince(user.userId, pts, limit, through),
        );
        for (const cached of [ctx.updates, small]) {
          if (cached.recentUpdates!.covers(pts))
            fromMemory.set(cached, fromMemory.get(cached)! + 1);
          const page = await cached.readFramesSince(user.userId, pts, limit, through);
          expect(plain(page), `${user.userId} from ${pts} to ${through}`).toEqual(expected);
        }
      }
    }
    expect(fromMemory.get(ctx.updates)).toBe((end - start + 1) * users.length);
    expect(fromMemory.get(small)).toBeGreaterThan(0);

    // Whole differences, a few updates at a time, from the start.
    for (const user of users) {
      const pages = async (service: UpdatesService) => {
        const all: Difference[] = [];
        for (let pts = start, final = false; !final;) {
          const page = await service.getDifference(user, { pts, limit: 3 });
          if (page.kind !== 'updates') throw new Error(`unexpected ${page.kind}`);
          all.push(page);
          ({ pts, final } = page);
        }
        return all;
      };
      expect(await pages(ctx.updates)).toEqual(await pages(fromDatabase));
    }
  }, 180_000);

  it('never skips an update committed between the per-chat reads of the database', async () => {
    const [dana, a, b] = users as [TestUser, TestUser, TestUser];
    const chatA = await call('chats.createDirect', { userId: dana.userId }, a);
    const chatB = await call('chats.createDirect', { userId: dana.userId }, b);
    const { pts } = await call('updates.getState', {}, dana);
    await send(chatA, a, 'before A');
    await send(chatB, b, 'before B');
    const { pts: bound } = await call('updates.getState', {}, dana);

    // Chat A is read before W (in A) and Z (in B) commit, chat B after.
    const isChat = (chat: Chat) => (sql: string, params: readonly unknown[]) =>
      sql.includes('from chat_updates') && params[0] === chat.id;
    const held = withHeldReads(s.server.ctx.database, isChat(chatB), isChat(chatA));
    const service = await updatesService(false, held.database);
    const reading = service.getDifference(dana, { pts, limit: 100 });
    await Promise.all([held.reached, held.done]);
    const w = await send(chatA, a, 'W');
    const z = await send(chatB, b, 'Z');
    held.release();

    // Z is past the bound taken before the reads: it comes next, after W, not instead of it.
    const first = await reading;
    const texts = (d: Difference) =>
      d.kind === 'updates'
        ? d.updates.map(({ update }) =>
            update.kind === 'message.new' ? update.message.text : update.kind,
          )
        : [];
    expect(texts(first)).toEqual(['before A', 'before B']);
    expect(first).toMatchObject({ pts: bound, final: true });
    const next = await service.getDifference(dana, { pts: bound, limit: 100 });
    expect(texts(next)).toEqual([w.text, z.text]);
  });

  it('tells a device to reload when what it reads is pruned meanwhile', async () => {
    const [dana, a] = users as [TestUser, TestUser];
    const chat = await call('chats.createDirect', { userId: dana.userId }, a);
    const { pts } = await call('updates.getState', {}, dana);
    await send(chat, a, 'soon pruned');

    // Past the first check (nothing pruned yet), the read of the chat waits for a prune.
    const held = withHeldReads(
      s.server.ctx.database,
      (sql, params) => sql.includes('from chat_updates') && params[0] === chat.id,
    );
    const service = await updatesService(false, held.database);
    const reading = service.getDifference(dana, { pts, limit: 100 });
    await held.reached;
    const { ctx } = s.server;
    await ctx.writes.run((w) => ctx.updates.prune(w, Date.now() + 1));
    held.release();

    // Not an empty page that moves the device past what it never got.
    expect(await reading).toMatchObject({ kind: 'tooLong' });
    // The server's own service reads memory when it can; a prune has taken that range from it.
    expect(ctx.updates.recentUpdates!.covers(pts)).toBe(false);
    expect(await ctx.updates.readFramesSince(dana.userId, pts, 100)).toMatchObject({
      pruned: true,
    });
  });

  it('reads memory only up to what was published when the read began', async () => {
    const [dana, a] = users as [TestUser, TestUser];
    const chat = await call('chats.createDirect', { userId: dana.userId }, a);
    const held = withHeldReads(s.server.ctx.database, (sql) => sql.includes('from chat_members'));
    const service = await updatesService({ maxBytes: 1 << 20 }, held.database);
    const { pts } = await call('updates.getState', {}, dana);
    await send(chat, a, 'before');
    const bound = service.recentUpdates!.publishedThrough;

    const reading = service.readFramesSince(dana.userId, pts, 100);
    await held.reached;
    await send(chat, a, 'after');
    held.release();

    const { rows, through } = await reading;
    expect(through).toBe(bound);
    expect(rows.map((row) => JSON.parse(row.payload).message.text)).toEqual(['before']);
    const next = await service.readFramesSince(dana.userId, through, 100);
    expect(next.rows.map((row) => JSON.parse(row.payload).message.text)).toEqual(['after']);
  });
});
