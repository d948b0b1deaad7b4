import sharp from 'sharp';
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
import type { Chat, Message } from '@tokki/protocol';

describe.each(testDialects)('forwarding and pinning on %s', (dialect) => {
  let s: TestServer;
  let next = 1;
  const { call, live, update, closeSockets } = testClient(() => s);
  const send = (user: TestUser, chatId: string, text: string, fileIds?: string[]) =>
    call(
      'messages.send',
      { chatId, clientMsgId: `m${next++}`, text, ...(fileIds && { fileIds }) },
      user,
    ).then((r) => r.message);
  const forward = (
    user: TestUser,
    chatId: string,
    seq: number,
    toChatIds: string[],
    id = `f${next++}`,
  ) => call('messages.forward', { chatId, seq, toChatIds, clientMsgId: id }, user);

  let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
  let withBob: Chat, withCarol: Chat, bobAndCarol: Chat;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob, carol, dave] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Carol', 'Dave']);
    withBob = await call('chats.createDirect', { userId: bob.userId }, alice);
    withCarol = await call('chats.createDirect', { userId: carol.userId }, alice);
    bobAndCarol = await call('chats.createDirect', { userId: carol.userId }, bob);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('forwards text and photos to other chats, whose members can then download them', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#f80' } })
      .jpeg()
      .toBuffer();
    const fileId = await uploadTestFile(s.url, bob.token, jpeg, {
      chatId: withBob.id,
      filename: 'sunset.jpg',
      filetype: 'image/jpeg',
    });
    const original = await send(bob, withBob.id, '노을 사진', [fileId]);
    const carolLive = await live(carol);

    // Alice (not the uploader) forwards Bob's photo to Carol.
    const { messages } = await forward(alice, withBob.id, original.seq, [withCarol.id], 'fwd-1');
    expect(messages).toHaveLength(1);
    const copy = messages[0]!;
    expect(copy).toMatchObject({ chatId: withCarol.id, senderId: alice.userId, text: '노을 사진' });
    expect(copy.files).toHaveLength(1);
    expect(copy.files![0]).toMatchObject({ chatId: withCarol.id, name: 'sunset.jpg' });
    expect(copy.files![0]!.id).not.toBe(fileId);
    await update(carolLive, 'message.new', (u) => u.message.chatId === withCarol.id);
    // Carol, not in Bob and Alice's chat, reads the copy; Dave reads neither.
    const { url } = await call('files.get', { fileId: copy.files![0]!.id }, carol);
    expect((await fetch(new URL(url, s.url))).status).toBe(200);
    await expect(call('files.get', { fileId }, carol)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // A retry answers the same copy and makes no other.
    const again = await forward(alice, withBob.id, original.seq, [withCarol.id], 'fwd-1');
    expect(again.messages).toEqual(messages);
    const history = await call('messages.history', { chatId: withCarol.id }, carol);
    expect(history.messages.filter((m: Message) => m.text === '노을 사진')).toHaveLength(1);
  });

  it('refuses what the caller cannot see or send, all or none', async () => {
    const note = await send(alice, withBob.id, 'only for Bob');
    const before = (await call('messages.history', { chatId: withCarol.id }, carol)).messages
      .length;
    // One target the caller is not in: nothing is sent anywhere.
    await expect(
      forward(alice, withBob.id, note.seq, [withCarol.id, bobAndCarol.id]),
    ).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
    expect((await call('messages.history', { chatId: withCarol.id }, carol)).messages.length).toBe(
      before,
    );
    await expect(forward(dave, withBob.id, note.seq, [withCarol.id])).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
    await expect(forward(alice, withBob.id, 9999, [withCarol.id])).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(forward(alice, withBob.id, note.seq, [])).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await call('messages.delete', { chatId: withBob.id, seq: note.seq, forEveryone: true }, alice);
    await expect(forward(alice, withBob.id, note.seq, [withCarol.id])).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('pins a message for every member, live, and unpins', async () => {
    const notice = await send(bob, withBob.id, '토요일 9시 북한산 입구');
    const aliceLive = await live(alice);
    await call('chats.pin', { chatId: withBob.id, seq: notice.seq }, bob);
    const pinned = await update(aliceLive, 'chat.pinned');
    expect(pinned.update).toEqual({
      kind: 'chat.pinned',
      chatId: withBob.id,
      seq: notice.seq,
      byUserId: bob.userId,
    });
    expect((await call('chats.get', { chatId: withBob.id }, alice)).pinnedSeq).toBe(notice.seq);

    await expect(call('chats.pin', { chatId: withBob.id, seq: 9999 }, bob)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      call('chats.pin', { chatId: withBob.id, seq: notice.seq }, dave),
    ).rejects.toMatchObject({ code: 'NOT_MEMBER' });

    // Deleting the pinned message for everyone unpins it; so does null.
    await call('messages.delete', { chatId: withBob.id, seq: notice.seq, forEveryone: true }, bob);
    expect(await call('chats.get', { chatId: withBob.id }, alice)).not.toHaveProperty('pinnedSeq');
    await expect(
      call('chats.pin', { chatId: withBob.id, seq: notice.seq }, bob),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const other = await send(alice, withBob.id, 'pin me');
    await call('chats.pin', { chatId: withBob.id, seq: other.seq }, alice);
    await call('chats.pin', { chatId: withBob.id, seq: null }, bob);
    expect(await call('chats.get', { chatId: withBob.id }, alice)).not.toHaveProperty('pinnedSeq');
  });
});
