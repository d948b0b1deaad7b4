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
import { LIMITS, type Chat } from '@tokki/protocol';

describe.each(testDialects)('messages with photos and files on %s', (dialect) => {
  let s: TestServer;
  let next = 1;
  const { call, live, update, closeSockets } = testClient(() => s);
  const send = (user: TestUser, chatId: string, text: string, fileIds?: string[]) =>
    call(
      'messages.send',
      { chatId, clientMsgId: `m${next++}`, text, ...(fileIds && { fileIds }) },
      user,
    ).then((r) => r.message);
  const photo = (color: string) =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: color } })
      .jpeg()
      .toBuffer();
  const upload = async (
    user: TestUser,
    chatId: string,
    data: Buffer,
    filename: string,
    filetype: string,
  ) => uploadTestFile(s.url, user.token, data, { chatId, filename, filetype });

  let alice: TestUser, bob: TestUser, carol: TestUser, chat: Chat, other: Chat;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob, carol] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Carol']);
    chat = await call('chats.createDirect', { userId: bob.userId }, alice);
    other = await call('chats.createDirect', { userId: carol!.userId }, alice!);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('sends an album with a caption, live and in history, in the order given', async () => {
    const ids = [
      await upload(alice, chat.id, await photo('#f80'), '1.jpg', 'image/jpeg'),
      await upload(alice, chat.id, await photo('#08f'), '2.jpg', 'image/jpeg'),
      await upload(alice, chat.id, Buffer.from('%PDF-1.4 menu'), 'menu.pdf', 'application/pdf'),
    ];
    const bobLive = await live(bob);
    const album = await send(alice, chat.id, '', ids);
    expect(album.text).toBe('');
    expect(album.files?.map((f) => [f.id, f.name, f.kind])).toEqual([
      [ids[0], '1.jpg', 'image'],
      [ids[1], '2.jpg', 'image'],
      [ids[2], 'menu.pdf', 'file'],
    ]);
    expect(album.files?.[0]).toMatchObject({ chatId: chat.id, width: 64, height: 48 });
    const frame = await update(bobLive, 'message.new', (u) => u.message.seq === album.seq);
    expect(frame.update.message.files).toEqual(album.files);
    const { messages } = await call('messages.history', { chatId: chat.id }, bob);
    expect(messages.find((m) => m.seq === album.seq)?.files).toEqual(album.files);
    // By seq: what the caller can see, others left out; nothing for a non-member.
    const got = await call('messages.get', { chatId: chat.id, seqs: [album.seq, 9999] }, bob);
    expect(got.messages).toEqual([expect.objectContaining({ seq: album.seq, files: album.files })]);
    await expect(
      call('messages.get', { chatId: chat.id, seqs: [album.seq] }, carol),
    ).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    await expect(call('messages.get', { chatId: chat.id, seqs: [] }, bob)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    // A caption, and a plain message carries no files field.
    const menu = await upload(
      alice,
      chat.id,
      Buffer.from('%PDF-1.4 menu'),
      'menu.pdf',
      'application/pdf',
    );
    const captioned = await send(alice, chat.id, '점심 메뉴', [menu]);
    expect(captioned).toMatchObject({ text: '점심 메뉴', files: [{ id: menu }] });
    expect(await send(alice, chat.id, 'just text')).not.toHaveProperty('files');
  });

  it('refuses files that are not the sender’s uploads to this chat, and stores nothing', async () => {
    const mine = await upload(alice, chat.id, await photo('#0a0'), 'a.jpg', 'image/jpeg');
    const bobs = await upload(bob, chat.id, await photo('#a00'), 'b.jpg', 'image/jpeg');
    const elsewhere = await upload(alice, other.id, await photo('#00a'), 'c.jpg', 'image/jpeg');
    const before = (await call('messages.history', { chatId: chat.id }, alice)).messages.length;
    for (const fileIds of [[bobs], [elsewhere], ['f_doesnotexist'], [mine, bobs]])
      await expect(send(alice, chat.id, 'look', fileIds)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    await expect(send(alice, chat.id, 'twice', [mine, mine])).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await expect(send(alice, chat.id, '', [])).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(send(alice, chat.id, '   ')).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(
      send(
        alice,
        chat.id,
        'many',
        Array.from({ length: LIMITS.FILES_PER_MESSAGE_MAX + 1 }, () => mine),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(send(carol, chat.id, 'not mine', [mine])).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
    expect((await call('messages.history', { chatId: chat.id }, alice)).messages.length).toBe(
      before,
    );
    // Bob may send his own upload.
    expect((await send(bob, chat.id, '', [bobs])).files?.[0]?.id).toBe(bobs);
  });
});
