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
import type { Chat } from '@tokki/protocol';

describe.each(testDialects)('replies and reactions on %s', (dialect) => {
  let s: TestServer;
  let next = 1;
  const { call, live, update, updates, closeSockets } = testClient(() => s);
  const history = async (user: TestUser, chatId = chat.id) =>
    (await call('messages.history', { chatId }, user)).messages;
  const send = async (user: TestUser, text: string, extra: object = {}, chatId = chat.id) =>
    (await call('messages.send', { chatId, clientMsgId: `m${next++}`, text, ...extra }, user))
      .message;
  const react = (user: TestUser, seq: number, reaction: string | null) =>
    call('messages.react', { chatId: chat.id, seq, reaction }, user);

  let alice: TestUser, bob: TestUser, carol: TestUser, chat: Chat;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob, carol] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Carol']);
    chat = await call(
      'chats.createGroup',
      { title: 'Hike', memberIds: [bob.userId, carol.userId] },
      alice,
    );
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('replies quote a message of the chat, live and in history; retries answer the original', async () => {
    const question = await send(alice, 'Saturday or Sunday?');
    const aliceLive = await live(alice);
    const params = {
      chatId: chat.id,
      clientMsgId: 'reply-1',
      text: 'Sunday!',
      replyToSeq: question.seq,
    };
    const { message: reply } = await call('messages.send', params, bob);
    expect(reply.replyToSeq).toBe(question.seq);
    const frame = await update(aliceLive, 'message.new', (u) => u.message.seq === reply.seq);
    expect(frame.update.message.replyToSeq).toBe(question.seq);
    expect((await history(carol)).find((m) => m.seq === reply.seq)?.replyToSeq).toBe(question.seq);
    expect((await call('messages.send', params, bob)).message).toEqual(reply);
    // A message without a reply carries no replyToSeq at all.
    expect(question).not.toHaveProperty('replyToSeq');
  });

  it('refuses replies to what the sender cannot see, and stores nothing', async () => {
    const before = (await history(alice)).length;
    await expect(send(alice, 'to nothing', { replyToSeq: 9999 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // A seq that exists in another chat only.
    const other = await call('chats.createDirect', { userId: bob.userId }, alice);
    for (let i = 0; i < 30; i++) await send(alice, `filler ${i}`, {}, other.id);
    await expect(send(alice, 'cross-chat', { replyToSeq: 30 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // A member who joined later cannot quote what came before.
    const late = await signInTestUser(s.url, 9, { displayName: 'Late' });
    await call('chats.addMembers', { chatId: chat.id, userIds: [late.userId] }, alice);
    await expect(send(late, 'quoting the past', { replyToSeq: 1 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(send(alice, 'bad seq', { replyToSeq: -1 })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    expect((await history(alice)).length).toBe(before);
  });

  it('keeps one reaction per member from the fixed set, live, and none on a tombstone', async () => {
    const photo = await send(alice, 'Summit! 🏔');
    const aliceLive = await live(alice);
    const reacted = (userId: string, reaction: string | null) =>
      update(aliceLive, 'message.reacted', (u) => u.userId === userId && u.reaction === reaction);
    const reactionsNow = async () =>
      (await history(carol)).find((m) => m.seq === photo.seq)?.reactions;

    await react(bob, photo.seq, 'heart');
    await reacted(bob.userId, 'heart');
    await react(carol, photo.seq, 'heart');
    expect(await reactionsNow()).toEqual([
      { reaction: 'heart', userIds: [bob.userId, carol.userId] },
    ]);
    await react(bob, photo.seq, 'like');
    await reacted(bob.userId, 'like');
    expect(await reactionsNow()).toEqual([
      { reaction: 'heart', userIds: [carol.userId] },
      { reaction: 'like', userIds: [bob.userId] },
    ]);
    await react(carol, photo.seq, null);
    await reacted(carol.userId, null);
    expect(await reactionsNow()).toEqual([{ reaction: 'like', userIds: [bob.userId] }]);
    // The same again changes nothing and tells no one.
    const updatesBefore = updates(aliceLive).length;
    await react(bob, photo.seq, 'like');
    await send(bob, 'marker');
    await update(aliceLive, 'message.new', (u) => u.message.text === 'marker');
    expect(
      updates(aliceLive)
        .slice(updatesBefore)
        .filter((u) => u.kind === 'message.reacted'),
    ).toEqual([]);

    for (const bad of ['angry', '', 'HEART'])
      await expect(react(bob, photo.seq, bad)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(react(bob, 9999, 'heart')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const stranger = await signInTestUser(s.url, 10, { displayName: 'Stranger' });
    await expect(react(stranger, photo.seq, 'heart')).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
    expect(await reactionsNow()).toEqual([{ reaction: 'like', userIds: [bob.userId] }]);

    await call('messages.delete', { chatId: chat.id, seq: photo.seq, forEveryone: true }, alice);
    expect(await reactionsNow()).toBeUndefined();
    await expect(react(bob, photo.seq, 'heart')).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
