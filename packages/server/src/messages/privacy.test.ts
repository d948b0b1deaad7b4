// Blocking and privacy details (issue 15, item 8): what a blocked user may still do in the 1:1
// with the blocker, and which identifiers a message carries to whom.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUsers,
  startTestServer,
  testClient,
  testDialects,
  uploadTestFile,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat, EventFrame, Message, Update } from '@tokki/protocol';

describe.each(testDialects)('blocking and privacy on %s', (dialect) => {
  let s: TestServer;
  let next = 1;
  const { call, live, update, updates, closeSockets } = testClient(() => s);
  const send = (user: TestUser, chatId: string, text: string, fileIds?: string[]) =>
    call(
      'messages.send',
      { chatId, clientMsgId: `m${next++}`, text, ...(fileIds && { fileIds }) },
      user,
    ).then((r) => r.message);

  beforeAll(async () => {
    s = await startTestServer({ dialect });
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('lets a blocked user neither react nor pin in the 1:1 with the blocker', async () => {
    const [alice, bob] = await signInTestUsers(s.url, ['Alice', 'Bob']);
    const direct = await call('chats.createDirect', { userId: alice.userId }, bob);
    const hers = await send(alice, direct.id, 'before the block');
    await call('friends.block', { userId: bob.userId }, alice);
    const aliceLive = await live(alice);
    const refusedSend = await send(bob, direct.id, 'after').then(
      () => new Error('the send was accepted'),
      (e: Error) => e,
    );
    /** The refusal's words, without the method the test client puts before them. */
    const words = (e: Error) => e.message.slice(e.message.indexOf(' ') + 1);
    expect(words(refusedSend)).toBe('FORBIDDEN This message could not be delivered.');
    const refusal = (attempt: Promise<unknown>) =>
      attempt.then(
        () => 'accepted',
        (e: Error) => words(e),
      );

    // Reacting and pinning are refused as sending is, in the same words (nothing about a block).
    const react = call(
      'messages.react',
      { chatId: direct.id, seq: hers.seq, reaction: 'heart' },
      bob,
    );
    expect(await refusal(react)).toBe(words(refusedSend));
    const unreact = call(
      'messages.react',
      { chatId: direct.id, seq: hers.seq, reaction: null },
      bob,
    );
    expect(await refusal(unreact)).toBe(words(refusedSend));
    const pin = call('chats.pin', { chatId: direct.id, seq: hers.seq }, bob);
    expect(await refusal(pin)).toBe(words(refusedSend));
    const unpin = call('chats.pin', { chatId: direct.id, seq: null }, bob);
    expect(await refusal(unpin)).toBe(words(refusedSend));
    // Bad input still gets its own answer first.
    await expect(
      call('messages.react', { chatId: direct.id, seq: 999, reaction: 'heart' }, bob),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Nothing of it reached Alice's chat: no reaction, no pin.
    const { messages } = await call('messages.history', { chatId: direct.id }, alice);
    expect(messages.find((m) => m.seq === hers.seq)?.reactions).toBeUndefined();
    expect((await call('chats.get', { chatId: direct.id }, alice)).pinnedSeq ?? null).toBeNull();
    const kinds = updates(aliceLive).map((u) => u.kind);
    expect(kinds).not.toContain('message.reacted');
    expect(kinds).not.toContain('chat.pinned');

    // Alice may react all along; unblocked, Bob may react again.
    await call('messages.react', { chatId: direct.id, seq: hers.seq, reaction: 'like' }, alice);
    await call('friends.unblock', { userId: bob.userId }, alice);
    await call('messages.react', { chatId: direct.id, seq: hers.seq, reaction: 'heart' }, bob);
    await update(aliceLive, 'message.reacted', (u) => u.reaction === 'heart');
  });

  it('drops the typing of a blocked user in the 1:1 without telling them', async () => {
    const [alice, bob] = await signInTestUsers(s.url, ['Alice', 'Bob']);
    const direct = await call('chats.createDirect', { userId: alice.userId }, bob);
    const group = await call(
      'chats.createGroup',
      { title: 'both', memberIds: [alice.userId] },
      bob,
    );
    await call('friends.block', { userId: bob.userId }, alice);
    const aliceLive = await live(alice);
    // Accepted and dropped: Bob learns nothing new, Alice sees nothing. Bob's typing in the
    // group, after it on the same bus, shows the direct one would have arrived by then.
    const bobLive = await live(bob);
    expect((await bobLive.request('chats.setTyping', { chatId: direct.id })).result).toEqual({});
    await bobLive.request('chats.setTyping', { chatId: group.id });
    type TypingFrame = EventFrame & { event: Extract<EventFrame['event'], { kind: 'typing' }> };
    const isTyping = (f: { type: string }): f is TypingFrame =>
      f.type === 'event' && (f as EventFrame).event.kind === 'typing';
    await aliceLive.waitFor((f) => isTyping(f) && f.event.chatId === group.id);
    expect(aliceLive.frames.filter(isTyping).map((f) => f.event.chatId)).toEqual([group.id]);

    // Typing in a chat Bob is not in is still refused.
    const outsider = await bobLive.request('chats.setTyping', { chatId: 'c_nope' });
    expect(outsider.error?.code).toBe('NOT_FOUND');
  });

  it('gives each copy of a forward its own identity, and retries find them', async () => {
    const [alice, bob, host] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Host']);
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    const { chat: room, inviteToken } = await call(
      'open.create',
      { title: 'forward target', nickname: 'host' },
      host,
    );
    await call('open.join', { token: inviteToken, nickname: 'anon' }, alice);
    const notes: Chat = await call('chats.createGroup', { title: 'notes', memberIds: [] }, alice);
    const fileId = await uploadTestFile(s.url, alice.token, Buffer.from('plain text file'), {
      chatId: notes.id,
      filename: 'notes.txt',
      filetype: 'text/plain',
    });
    const original = await send(alice, notes.id, 'forward me', [fileId]);

    const request = { chatId: notes.id, seq: original.seq, toChatIds: [direct.id, room.id] };
    const { messages: copies } = await call(
      'messages.forward',
      { ...request, clientMsgId: 'fwd-1' },
      alice,
    );
    const [toBob, toRoom] = copies as [Message, Message];
    // The forwarder's answer has each copy's own clientMsgId: not the one sent, not each other's.
    expect(toBob.clientMsgId).toBeDefined();
    expect(toRoom.clientMsgId).toBeDefined();
    expect(
      new Set([toBob.clientMsgId, toRoom.clientMsgId, 'fwd-1', original.clientMsgId]).size,
    ).toBe(4);
    // Files are new ids too; the room sees a room profile, not Alice.
    const fileIds = [original, toBob, toRoom].map((m) => m.files![0]!.id);
    expect(new Set(fileIds).size).toBe(3);
    expect(toRoom.senderId).not.toBe(alice.userId);
    expect(toRoom.senderId).toMatch(/^p_/);

    // What the room's host sees of the copy carries nothing that names the other copy.
    const { messages: seen } = await call(
      'messages.get',
      { chatId: room.id, seqs: [toRoom.seq] },
      host,
    );
    const hostView = seen[0]!;
    expect(hostView.clientMsgId).toBeUndefined();
    expect(JSON.stringify(hostView)).not.toContain(toBob.clientMsgId!);
    expect(JSON.stringify(hostView)).not.toContain(alice.userId);

    // A retry answers the same copies, and makes none.
    const again = await call('messages.forward', { ...request, clientMsgId: 'fwd-1' }, alice);
    expect(again.messages.map((m) => [m.chatId, m.seq, m.clientMsgId])).toEqual(
      copies.map((m) => [m.chatId, m.seq, m.clientMsgId]),
    );
    const roomHistory = await call('messages.history', { chatId: room.id }, host);
    expect(roomHistory.messages.filter((m) => m.text === 'forward me')).toHaveLength(1);
  });

  it('sends clientMsgId to no one but the sender', async () => {
    const [alice, bob] = await signInTestUsers(s.url, ['Alice', 'Bob']);
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    const { pts } = await call('updates.getState', {}, bob);
    const bobLive = await live(bob);
    const aliceLive = await live(alice);
    const sent = await call(
      'messages.send',
      { chatId: direct.id, clientMsgId: 'alices-device-42', text: 'findable words' },
      alice,
    );
    // The sender's answer has it: her device matches its pending send by it.
    expect(sent.message.clientMsgId).toBe('alices-device-42');

    const seenLive = (
      await update(bobLive, 'message.new', (u) => u.message.seq === sent.message.seq)
    ).update.message;
    expect(seenLive).not.toHaveProperty('clientMsgId');
    const echo = (await update(aliceLive, 'message.new', (u) => u.message.seq === sent.message.seq))
      .update.message;
    // Her own devices get it live too: the one that sent may see the update before the answer.
    expect(echo.clientMsgId).toBe('alices-device-42');

    const history = await call('messages.history', { chatId: direct.id }, bob);
    expect(history.messages[0]).not.toHaveProperty('clientMsgId');
    const own = await call('messages.history', { chatId: direct.id }, alice);
    expect(own.messages[0]!.clientMsgId).toBe('alices-device-42');

    const found = await call('messages.search', { query: 'findable' }, bob);
    expect(found.messages).toHaveLength(1);
    expect(found.messages[0]).not.toHaveProperty('clientMsgId');
    const foundByAlice = await call('messages.search', { query: 'findable' }, alice);
    expect(foundByAlice.messages[0]!.clientMsgId).toBe('alices-device-42');

    const got = await call('messages.get', { chatId: direct.id, seqs: [sent.message.seq] }, bob);
    expect(JSON.stringify(got)).not.toContain('alices-device-42');

    const difference = await call('updates.getDifference', { pts }, bob);
    expect(difference.kind).toBe('updates');
    const newMessages = (difference.kind === 'updates' ? difference.updates : [])
      .map((e) => e.update)
      .filter((u): u is Extract<Update, { kind: 'message.new' }> => u.kind === 'message.new');
    expect(newMessages.map((u) => u.message.seq)).toEqual([sent.message.seq]);
    expect(JSON.stringify(difference)).not.toContain('alices-device-42');
    // Nor on any frame Bob's socket got.
    expect(JSON.stringify(bobLive.frames)).not.toContain('alices-device-42');
  });
});
