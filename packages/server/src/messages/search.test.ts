import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { LIMITS, type Chat, type Message } from '@tokki/protocol';

describe.each(testDialects)('message search on %s', (dialect) => {
  let s: TestServer;
  let next = 1;
  const newUser = (name: string) => signInTestUser(s.url, next++, { displayName: name });
  const { call } = testClient(() => s);
  const send = async (chat: Chat, text: string, user: TestUser) =>
    (await call('messages.send', { chatId: chat.id, clientMsgId: `m${next++}`, text }, user))
      .message;
  const search = (user: TestUser, query: string, more: object = {}) =>
    call('messages.search', { query, ...more }, user);
  /** A message as `user` finds it: its clientMsgId only if they sent it. */
  const seenBy = (user: TestUser) => (m: Message) =>
    m.senderId === user.userId ? m : { ...m, clientMsgId: undefined };
  const texts = async (user: TestUser, query: string, more: object = {}) =>
    (await search(user, query, more)).messages.map((m) => m.text);

  let alice: TestUser, bob: TestUser, carol: TestUser, mallory: TestUser;
  let direct: Chat, group: Chat, secret: Chat;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob, carol, mallory] = await Promise.all([
      newUser('Alice'),
      newUser('Bob'),
      newUser('Carol'),
      newUser('Mallory'),
    ]);
    direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    group = await call('chats.createGroup', { title: 'G', memberIds: [bob.userId] }, alice);
    // Alice is not in this one; its messages contain every word she searches for.
    secret = await call('chats.createDirect', { userId: mallory.userId }, bob);
    for (const text of ['안녕하세요 비밀', 'こんにちは 秘密', 'Hello secret world', '안', '밥'])
      await send(secret, text, mallory);
  });
  afterAll(() => s?.close());

  it('finds Korean, Japanese and English by part of a word, case-insensitively', async () => {
    await send(direct, '안녕하세요, 앨리스!', bob);
    await send(direct, 'こんにちは、世界', bob);
    await send(direct, 'Lunch at the NOODLE place?', bob);
    await send(direct, '밥 먹었어?', alice);

    expect(await texts(alice, '안녕')).toEqual(['안녕하세요, 앨리스!']);
    expect(await texts(alice, '안녕하세요')).toEqual(['안녕하세요, 앨리스!']);
    expect(await texts(alice, 'こんにち')).toEqual(['こんにちは、世界']);
    expect(await texts(alice, '世界')).toEqual(['こんにちは、世界']);
    expect(await texts(alice, 'noodle')).toEqual(['Lunch at the NOODLE place?']);
    expect(await texts(alice, '  lunch  ')).toEqual(['Lunch at the NOODLE place?']);
    expect(await texts(alice, 'Noodle Place')).toEqual(['Lunch at the NOODLE place?']);
    // One character, in the middle or at the very end of a text.
    expect(await texts(alice, '밥')).toEqual(['밥 먹었어?']);
    expect(await texts(alice, '界')).toEqual(['こんにちは、世界']);
    expect(await texts(alice, '?')).toEqual(['밥 먹었어?', 'Lunch at the NOODLE place?']);
    // A substring, not words or bigrams that merely all occur.
    expect(await texts(alice, '녕안')).toEqual([]);
    expect(await texts(alice, 'noodles')).toEqual([]);
    // Bob sees the same messages; Mallory, in none of these chats, sees only her own.
    expect(await texts(bob, '안녕')).toEqual(['안녕하세요, 앨리스!', '안녕하세요 비밀']);
    expect(await texts(mallory, '안녕')).toEqual(['안녕하세요 비밀']);
  });

  it('never finds messages of chats the caller is not in, and refuses such a chatId', async () => {
    for (const query of ['비밀', '秘密', 'secret', '안', '밥', 'e', 'こ']) {
      const found = await texts(alice, query);
      expect(found.filter((text) => /비밀|秘密|secret/.test(text))).toEqual([]);
    }
    expect(await texts(alice, 'secret')).toEqual([]);
    await expect(search(alice, 'secret', { chatId: secret.id })).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
    await expect(search(alice, 'secret', { chatId: 'c_nothing' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await texts(bob, 'secret', { chatId: secret.id })).toEqual(['Hello secret world']);
    expect(await texts(bob, 'secret', { chatId: direct.id })).toEqual([]);
  });

  it('orders newest first across chats and pages with a cursor', async () => {
    const sent: Message[] = [];
    for (let i = 1; i <= 5; i++) {
      sent.push(await send(i % 2 ? group : direct, `page test ${i}`, i % 2 ? alice : bob));
      await sleep(3); // distinct times, so that the order is the sending order
    }
    const newestFirst = [...sent].reverse().map(seenBy(alice));
    const page1 = await search(alice, 'page TEST', { limit: 2 });
    expect(page1.messages).toEqual(newestFirst.slice(0, 2));
    const page2 = await search(alice, 'page test', { limit: 2, cursor: page1.cursor });
    expect(page2.messages).toEqual(newestFirst.slice(2, 4));
    const page3 = await search(alice, 'page test', { limit: 2, cursor: page2.cursor });
    expect(page3).toEqual({ messages: newestFirst.slice(4), cursor: null });
    expect((await search(alice, 'page test', { chatId: direct.id })).messages).toEqual(
      newestFirst.filter((m) => m.chatId === direct.id),
    );
  });

  it('finds in a group only what was sent after joining, and nothing after leaving', async () => {
    const team = await call('chats.createGroup', { title: 'Team', memberIds: [bob.userId] }, alice);
    await send(team, '회의 전 메모', alice);
    await call('chats.addMembers', { chatId: team.id, userIds: [carol.userId] }, alice);
    await send(team, '회의 후 메모', bob);
    expect(await texts(carol, '메모')).toEqual(['회의 후 메모']);
    expect(await texts(carol, '회의 전')).toEqual([]);
    expect(await texts(alice, '메모')).toEqual(['회의 후 메모', '회의 전 메모']);
    await call('chats.leave', { chatId: team.id }, carol);
    expect(await texts(carol, '메모')).toEqual([]);
    await expect(search(carol, '메모', { chatId: team.id })).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
  });

  it('follows edits, and finds nothing deleted for everyone or for the caller', async () => {
    const edited = await send(direct, '내일 영화 볼래?', alice);
    await call(
      'messages.edit',
      { chatId: direct.id, seq: edited.seq, text: '오늘 연극 볼래?' },
      alice,
    );
    expect(await texts(bob, '영화')).toEqual([]);
    expect(await texts(bob, '연극')).toEqual(['오늘 연극 볼래?']);
    const [found] = (await search(bob, '연극')).messages;
    expect(found).toMatchObject({ seq: edited.seq, editedAt: expect.any(Number) });

    const gone = await send(direct, 'tombstone candidate', alice);
    await call('messages.delete', { chatId: direct.id, seq: gone.seq, forEveryone: true }, alice);
    expect(await texts(bob, 'tombstone')).toEqual([]);

    const hidden = await send(direct, 'hide me please', alice);
    await call('messages.delete', { chatId: direct.id, seq: hidden.seq, forEveryone: false }, bob);
    expect(await texts(bob, 'hide me')).toEqual([]);
    expect(await texts(alice, 'hide me')).toEqual(['hide me please']);
  });

  it('finds text anywhere in the longest message', async () => {
    const filler = '가나다라마바사 abc '.repeat(LIMITS.MESSAGE_TEXT_MAX);
    const text = `${filler.slice(0, LIMITS.MESSAGE_TEXT_MAX - 10)}끝말잇기 END`;
    const long = await send(direct, text, bob);
    expect((await search(alice, '끝말잇기')).messages).toEqual([seenBy(alice)(long)]);
    expect((await search(alice, 'c 가나다', { limit: 1 })).messages).toEqual([seenBy(alice)(long)]);
  });

  it('refuses bad input with typed errors', async () => {
    const refused = (params: object) =>
      expect(call('messages.search', params, alice)).rejects.toMatchObject({
        code: expect.stringMatching(/^(INVALID_PARAMS|TEXT_TOO_LONG)$/),
      });
    await refused({ query: '' });
    await refused({ query: '   ' });
    await refused({});
    await refused({ query: '가'.repeat(LIMITS.SEARCH_QUERY_MAX + 1) });
    await refused({ query: 'a'.repeat(LIMITS.SEARCH_QUERY_MAX * 4 + 1) });
    await refused({ query: 'hi', limit: 0 });
    await refused({ query: 'hi', limit: LIMITS.SEARCH_PAGE_MAX + 1 });
    await refused({ query: 'hi', cursor: 'garbage!' });
    await refused({ query: 'hi', cursor: Buffer.from('[1,"c",0]').toString('base64url') });
    await expect(search(alice, '가'.repeat(LIMITS.SEARCH_QUERY_MAX + 1))).rejects.toMatchObject({
      code: 'TEXT_TOO_LONG',
    });
    await expect(search(alice, ' ')).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    // The longest query allowed, and FTS syntax, are just text.
    expect(await texts(alice, '가'.repeat(LIMITS.SEARCH_QUERY_MAX))).toEqual([]);
    expect(await texts(alice, '" OR * NEAR(')).toEqual([]);
  });
});
