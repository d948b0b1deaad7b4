import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  post,
  signInTestUser,
  startTestServer,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat, Difference, Message } from '@tokki/protocol';
import type { Database } from '../db/database.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { UpdatesService } from './service.js';

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
  const api = <T = any>(method: string, params: unknown, user: TestUser) =>
    post(s.url, method, params, user.token) as Promise<T>;
  const send = async (chat: Chat, from: TestUser, text: string) =>
    (
      await api<{ message: Message }>(
        'messages.send',
        { chatId: chat.id, clientMsgId: text, text },
        from,
      )
    ).message;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    users = await Promise.all([1, 2, 3, 4, 5].map((n) => signInTestUser(s.url, n)));
  });
  afterAll(() => s?.close());

  it('never skips an update committed between the per-chat reads of the database', async () => {
    const [dana, a, b] = users as [TestUser, TestUser, TestUser];
    const chatA = await api<Chat>('chats.createDirect', { userId: dana.userId }, a);
    const chatB = await api<Chat>('chats.createDirect', { userId: dana.userId }, b);
    const { pts } = await api('updates.getState', {}, dana);
    await send(chatA, a, 'before A');
    await send(chatB, b, 'before B');
    const { pts: bound } = await api('updates.getState', {}, dana);

    // Chat A is read before W (in A) and Z (in B) commit, chat B after.
    const isChat = (chat: Chat) => (sql: string, params: readonly unknown[]) =>
      sql.includes('from chat_updates') && params[0] === chat.id;
    const held = withHeldReads(s.server.ctx.database, isChat(chatB), isChat(chatA));
    const service = new UpdatesService(held.database, s.server.ctx.bus);
    const reading = service.getDifference(dana.userId, pts, 100);
    await Promise.all([held.reached, held.done]);
    const w = await send(chatA, a, 'W');
    const z = await send(chatB, b, 'Z');
    held.release();

    // Z is past the bound taken before the reads: it comes next, after W, not instead of it.
    const first = await reading;
    const texts = (d: Difference) =>
      d.kind === 'updates' ? d.updates.map((u: any) => u.update.message.text) : [];
    expect(texts(first)).toEqual(['before A', 'before B']);
    expect(first).toMatchObject({ pts: bound, final: true });
    const next = await service.getDifference(dana.userId, bound, 100);
    expect(texts(next)).toEqual([w.text, z.text]);
  });
});
