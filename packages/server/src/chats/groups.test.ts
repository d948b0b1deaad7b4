import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { LIMITS, type Chat } from '@tokki/protocol';

const TABLES = [
  'users',
  'devices',
  'chats',
  'chat_members',
  'messages',
  'chat_updates',
  'user_updates',
] as const;

async function signInMany(url: string, from: number, count: number): Promise<TestUser[]> {
  const users: TestUser[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const i = next++;
        users[i] = await signInTestUser(url, from + i);
      }
    }),
  );
  return users;
}

describe.each(testDialects)('a 3,000-member group on %s', (dialect) => {
  let s: TestServer;
  let owner: TestUser;
  let members: TestUser[];
  let group: Chat;
  const { call, live, update, closeSockets } = testClient(() => s);

  const rowCounts = async () => {
    const { db } = s.server.ctx.database;
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    return counts;
  };

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [owner, members] = await Promise.all([
      signInTestUser(s.url, 10_000),
      signInMany(s.url, 10_001, LIMITS.GROUP_MEMBERS_MAX),
    ]);
  }, 180_000);
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('takes members up to the limit and refuses one more', async () => {
    const batch = LIMITS.MEMBERS_PER_CALL_MAX;
    group = await call(
      'chats.createGroup',
      { title: '3천 명', memberIds: members.slice(0, batch).map((m) => m.userId) },
      owner,
    );
    for (let i = batch; i < LIMITS.GROUP_MEMBERS_MAX - 1; i += batch) {
      const userIds = members
        .slice(i, Math.min(i + batch, LIMITS.GROUP_MEMBERS_MAX - 1))
        .map((m) => m.userId);
      await call('chats.addMembers', { chatId: group.id, userIds }, owner);
    }
    expect((await call('chats.get', { chatId: group.id }, owner)).memberCount).toBe(
      LIMITS.GROUP_MEMBERS_MAX,
    );
    const extra = members[LIMITS.GROUP_MEMBERS_MAX - 1]!;
    await expect(
      call('chats.addMembers', { chatId: group.id, userIds: [extra.userId] }, owner),
    ).rejects.toMatchObject({
      code: 'GROUP_FULL',
    });
    expect((await call('chats.get', { chatId: group.id }, owner)).memberCount).toBe(
      LIMITS.GROUP_MEMBERS_MAX,
    );
  }, 60_000);

  it('stores a message once, not once per member, and still reaches everyone online', async () => {
    const online = await Promise.all(members.slice(0, 20).map((m) => live(m)));
    const before = await rowCounts();
    const { message } = await call(
      'messages.send',
      { chatId: group.id, clientMsgId: 'hello-all', text: '모두 안녕' },
      owner,
    );
    const after = await rowCounts();
    const grown = Object.fromEntries(TABLES.map((t) => [t, after[t]! - before[t]!]));
    expect(grown).toEqual({
      users: 0,
      devices: 0,
      chats: 0,
      chat_members: 0,
      messages: 1,
      chat_updates: 1,
      user_updates: 0,
    });

    // The others get the message without the sender's clientMsgId.
    const { clientMsgId: _own, ...theirs } = message;
    for (const socket of online) {
      expect((await update(socket, 'message.new')).update.message).toEqual(theirs);
      socket.close();
    }
  });

  it('keeps the chat list and unread counters right for every member', async () => {
    const [first, second, last] = [
      members[0]!,
      members[1]!,
      members[LIMITS.GROUP_MEMBERS_MAX - 2]!,
    ];
    for (const member of [first, second, last]) {
      const { chats } = await call('chats.list', {}, member);
      expect(chats[0]).toMatchObject({
        id: group.id,
        unreadCount: 1,
        lastMessage: { text: '모두 안녕' },
      });
    }
    await call('messages.markRead', { chatId: group.id, seq: 1 }, first);
    await call('messages.markRead', { chatId: group.id, seq: 1 }, second);
    expect((await call('chats.list', {}, first)).chats[0]?.unreadCount).toBe(0);
    expect((await call('chats.list', {}, last)).chats[0]?.unreadCount).toBe(1);

    // KakaoTalk's counter on the message: members other than the sender whose pointer is below it.
    let unread = 0;
    let cursor: string | undefined;
    do {
      const page = await call(
        'chats.members',
        { chatId: group.id, ...(cursor && { cursor }) },
        last,
      );
      unread += page.members.filter((m) => m.user.id !== owner.userId && m.readSeq < 1).length;
      cursor = page.cursor ?? undefined;
    } while (cursor);
    expect(unread).toBe(LIMITS.GROUP_MEMBERS_MAX - 1 - 2);
  });
});
