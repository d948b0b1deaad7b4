import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  signInTestUsers,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat, Message } from '@tokki/protocol';

const rejects = (promise: Promise<unknown>) => expect(promise).rejects;

describe.each(testDialects)('messaging on %s', (dialect) => {
  let s: TestServer;
  const { call } = testClient(() => s);
  let alice: TestUser, bob: TestUser, carol: TestUser, mallory: TestUser;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob, carol, mallory] = await signInTestUsers(s.url, [
      'Alice',
      'Bob',
      'Carol',
      'Mallory',
    ]);
  });
  afterAll(() => s?.close());

  it('keeps exactly one direct chat per pair, whoever creates it', async () => {
    const first = await call('chats.createDirect', { userId: bob.userId }, alice);
    const again = await call('chats.createDirect', { userId: alice.userId }, bob);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ kind: 'direct', memberCount: 2, peer: { displayName: 'Bob' } });
    expect(again.peer?.displayName).toBe('Alice');
    await rejects(call('chats.createDirect', { userId: alice.userId }, alice)).toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await rejects(call('chats.createDirect', { userId: 'u_nobody' }, alice)).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('sends, dedupes retries by clientMsgId, and pages history newest first', async () => {
    const chat = await call('chats.createDirect', { userId: carol.userId }, alice);
    const sent: Message[] = [];
    for (let i = 1; i <= 7; i++) {
      const { message } = await call(
        'messages.send',
        { chatId: chat.id, clientMsgId: `m${i}`, text: `hi ${i}` },
        alice,
      );
      sent.push(message);
    }
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const retry = await call(
      'messages.send',
      { chatId: chat.id, clientMsgId: 'm3', text: 'changed' },
      alice,
    );
    expect(retry.message).toEqual(sent[2]);

    const page1 = await call('messages.history', { chatId: chat.id, limit: 3 }, carol);
    expect(page1.messages.map((m: Message) => m.seq)).toEqual([7, 6, 5]);
    const page2 = await call(
      'messages.history',
      { chatId: chat.id, limit: 3, cursor: page1.cursor },
      carol,
    );
    expect(page2.messages.map((m: Message) => m.seq)).toEqual([4, 3, 2]);
    const page3 = await call(
      'messages.history',
      { chatId: chat.id, limit: 3, cursor: page2.cursor },
      carol,
    );
    // Carol sees no clientMsgId: only the sender's own answers carry it.
    expect(page3).toEqual({ messages: [{ ...sent[0], clientMsgId: undefined }], cursor: null });
    await rejects(
      call('messages.history', { chatId: chat.id, cursor: 'garbage!' }, carol),
    ).toMatchObject({
      code: 'INVALID_PARAMS',
    });
  });

  it('counts unread messages, moves read pointers forward only, and orders the chat list by activity', async () => {
    const older = await call(
      'chats.createGroup',
      { title: 'Older', memberIds: [bob.userId] },
      carol,
    );
    const chat = await call('chats.createDirect', { userId: carol.userId }, bob);
    for (let i = 0; i < 3; i++) {
      await call(
        'messages.send',
        { chatId: chat.id, clientMsgId: `u${i}`, text: `unread ${i}` },
        carol,
      );
    }
    let list = await call('chats.list', {}, bob);
    expect(list.chats[0]).toMatchObject({
      id: chat.id,
      unreadCount: 3,
      lastSeq: 3,
      lastMessage: { text: 'unread 2' },
    });
    expect(list.chats.map((c: Chat) => c.id).indexOf(older.id)).toBeGreaterThan(0);

    expect(await call('messages.markRead', { chatId: chat.id, seq: 2 }, bob)).toEqual({
      readSeq: 2,
    });
    expect(await call('messages.markRead', { chatId: chat.id, seq: 1 }, bob)).toEqual({
      readSeq: 2,
    });
    expect(await call('messages.markRead', { chatId: chat.id, seq: 99 }, bob)).toEqual({
      readSeq: 3,
    });
    list = await call('chats.list', {}, bob);
    expect(list.chats.find((c: Chat) => c.id === chat.id)).toMatchObject({
      unreadCount: 0,
      readSeq: 3,
    });

    // The sender has read their own messages; the members list carries every pointer.
    const members = await call('chats.members', { chatId: chat.id }, carol);
    const pointers = Object.fromEntries(
      members.members.map((m) => [m.user.displayName, m.readSeq]),
    );
    expect(pointers).toEqual({ Bob: 3, Carol: 3 });
  });

  it('pages the chat list with a keyset cursor', async () => {
    const user = await signInTestUser(s.url, 50);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const chat = await call('chats.createGroup', { title: `G${i}`, memberIds: [] }, user);
      await call('messages.send', { chatId: chat.id, clientMsgId: 'x', text: 'bump' }, user);
      ids.unshift(chat.id);
    }
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await call('chats.list', { limit: 2, ...(cursor && { cursor }) }, user);
      seen.push(...page.chats.map((c: Chat) => c.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('lets groups invite, rename and leave, and hides history from before joining', async () => {
    const group = await call(
      'chats.createGroup',
      { title: ' Team ', memberIds: [bob.userId, bob.userId] },
      alice,
    );
    expect(group).toMatchObject({ kind: 'group', title: 'Team', memberCount: 2 });
    await call(
      'messages.send',
      { chatId: group.id, clientMsgId: 'before', text: 'before carol' },
      alice,
    );
    expect(
      await call(
        'chats.addMembers',
        { chatId: group.id, userIds: [carol.userId, bob.userId] },
        bob,
      ),
    ).toEqual({
      added: 1,
    });
    await call(
      'messages.send',
      { chatId: group.id, clientMsgId: 'after', text: 'after carol' },
      alice,
    );
    const seen = await call('messages.history', { chatId: group.id }, carol);
    expect(seen.messages.map((m: Message) => m.text)).toEqual(['after carol']);
    const carolsView = await call('chats.get', { chatId: group.id }, carol);
    expect(carolsView).toMatchObject({ joinedSeq: 1, unreadCount: 1, memberCount: 3 });

    await call('chats.rename', { chatId: group.id, title: 'Dream team' }, carol);
    await call('chats.leave', { chatId: group.id }, carol);
    await rejects(call('messages.history', { chatId: group.id }, carol)).toMatchObject({
      code: 'NOT_MEMBER',
    });
    await rejects(
      call('messages.send', { chatId: group.id, clientMsgId: 'z', text: 'x' }, carol),
    ).toMatchObject({
      code: 'NOT_MEMBER',
    });
    expect(await call('chats.get', { chatId: group.id }, alice)).toMatchObject({
      title: 'Dream team',
      memberCount: 2,
    });
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    await rejects(call('chats.leave', { chatId: direct.id }, alice)).toMatchObject({
      code: 'BAD_REQUEST',
    });
    await rejects(
      call('chats.addMembers', { chatId: direct.id, userIds: [carol.userId] }, alice),
    ).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it("refuses access to other users' chats with typed errors, changing nothing", async () => {
    const chat = await call('chats.createDirect', { userId: bob.userId }, alice);
    const before = await call('messages.history', { chatId: chat.id }, alice);
    const attempts = [
      call('messages.send', { chatId: chat.id, clientMsgId: 'evil', text: 'hi' }, mallory),
      call('messages.history', { chatId: chat.id }, mallory),
      call('messages.markRead', { chatId: chat.id, seq: 1 }, mallory),
      call('chats.get', { chatId: chat.id }, mallory),
      call('chats.members', { chatId: chat.id }, mallory),
      call('chats.setTyping', { chatId: chat.id }, mallory),
    ];
    for (const outcome of await Promise.allSettled(attempts)) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: { code: 'NOT_MEMBER', status: 403 },
      });
    }
    await rejects(
      call('messages.send', { chatId: 'c_missing', clientMsgId: 'x', text: 'hi' }, alice),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await call('messages.history', { chatId: chat.id }, alice)).toEqual(before);
  });

  it('rejects bad params with typed errors and stores nothing', async () => {
    const chat = await call('chats.createDirect', { userId: bob.userId }, alice);
    const send = (params: unknown) => call('messages.send', params, alice);
    await rejects(
      send({ chatId: chat.id, clientMsgId: 'long', text: '가'.repeat(4097) }),
    ).toMatchObject({
      code: 'TEXT_TOO_LONG',
    });
    // Past the schema's bound in code units, the same answer as past the rule in code points.
    await rejects(
      send({ chatId: chat.id, clientMsgId: 'longer', text: 'x'.repeat(8193) }),
    ).toMatchObject({ code: 'TEXT_TOO_LONG' });
    // Characters are counted as people count them: 4,096 rabbits are 8,192 code units.
    const rabbits = await send({
      chatId: chat.id,
      clientMsgId: 'rabbits',
      text: '🐰'.repeat(4096),
    });
    expect((rabbits as { message: { seq: number } }).message.seq).toBe(1);
    await rejects(send({ chatId: chat.id, clientMsgId: 'blank', text: '   ' })).toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await rejects(send({ chatId: chat.id, clientMsgId: 7, text: 'hi' })).toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await rejects(send({ chatId: chat.id, text: 'hi' })).toMatchObject({ code: 'INVALID_PARAMS' });
    await rejects(send({ chatId: chat.id, clientMsgId: 'x', text: 'hi', extra: 1 })).toMatchObject({
      code: 'INVALID_PARAMS',
    });
    // 4,096 characters counted as people count them: emoji are one each.
    const { message } = await send({
      chatId: chat.id,
      clientMsgId: 'max',
      text: '🐰'.repeat(4096),
    });
    expect([...message.text]).toHaveLength(4096);
    const history = await call('messages.history', { chatId: chat.id }, alice);
    expect(history.messages.map((m) => m.clientMsgId)).not.toContain('long');
  });

  it('answers HTTP edge cases with typed errors', async () => {
    const raw = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${s.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
    expect(
      await raw('/v1/chats.list', '{not json', { authorization: `Bearer ${alice.token}` }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_REQUEST' } },
    });
    expect(await raw('/v1/no.such', '{}')).toMatchObject({
      status: 404,
      body: { error: { code: 'UNKNOWN_METHOD' } },
    });
    expect(await raw('/v1/chats.list', '{}')).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    const big = JSON.stringify({ phone: 'x'.repeat(70_000) });
    expect(await raw('/v1/auth.requestCode', big)).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
    });
  });

  it('serves an OpenAPI document generated from the method schemas', async () => {
    type Operation = {
      requestBody: { content: Record<string, { schema: { properties: object } }> };
    };
    const doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { post: Operation }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(
      doc.paths['/v1/messages.send']?.post.requestBody.content['application/json']?.schema
        .properties,
    ).toHaveProperty('clientMsgId');
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(20);
  });
});
