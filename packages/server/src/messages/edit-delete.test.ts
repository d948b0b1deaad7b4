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

const HOUR = 3600 * 1000;

describe.each(testDialects)('editing and deleting messages on %s', (dialect) => {
  let s: TestServer;
  /** How far the server's clock is moved ahead of the real one. */
  let ahead = 0;
  let next = 1;
  const newUser = (name: string) => signInTestUser(s.url, next++, { displayName: name });
  const { call, live, update, updates, closeSockets } = testClient(() => s);
  const history = async (chatId: string, user: TestUser) =>
    (await call('messages.history', { chatId }, user)).messages;

  let alice: TestUser, bob: TestUser, carol: TestUser, chat: Chat;
  const send = async (text: string, user = alice) =>
    (await call('messages.send', { chatId: chat.id, clientMsgId: `m${next++}`, text }, user))
      .message;

  beforeAll(async () => {
    s = await startTestServer({ dialect, overrides: { clock: () => Date.now() + ahead } });
    [alice, bob, carol] = await Promise.all([newUser('Alice'), newUser('Bob'), newUser('Carol')]);
    chat = await call(
      'chats.createGroup',
      { title: 'Edits', memberIds: [bob.userId, carol.userId] },
      alice,
    );
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('edits within 24 hours, and every device of every member sees it live', async () => {
    const message = await send('See you at 7');
    const bobPhone = await live(bob);
    const bobLaptop = await live(bob);
    const aliceTablet = await live(alice);
    ahead = 24 * HOUR - 60_000;
    const { message: edited } = await call(
      'messages.edit',
      { chatId: chat.id, seq: message.seq, text: 'See you at 8' },
      alice,
    );
    expect(edited).toMatchObject({ seq: message.seq, text: 'See you at 8', deletedAt: null });
    expect(edited.editedAt).toBeGreaterThanOrEqual(message.createdAt);
    for (const socket of [bobPhone, bobLaptop, aliceTablet]) {
      const frame = await update(socket, 'message.edited', (u) => u.seq === message.seq);
      expect(frame.update).toMatchObject({ chatId: chat.id, text: 'See you at 8' });
    }
    const seen = (await history(chat.id, carol)).find((m) => m.seq === message.seq)!;
    expect(seen).toMatchObject({ text: 'See you at 8', editedAt: edited.editedAt });
    ahead = 0;
  });

  it('refuses edits and deletions after 24 hours, of others, and of deleted messages', async () => {
    const message = await send('Too late to take back');
    const edit = (user: TestUser, text = 'changed', seq = message.seq) =>
      call('messages.edit', { chatId: chat.id, seq, text }, user);
    const deleteForAll = (user: TestUser) =>
      call('messages.delete', { chatId: chat.id, seq: message.seq, forEveryone: true }, user);

    await expect(edit(bob)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(deleteForAll(bob)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    ahead = 24 * HOUR + 60_000;
    await expect(edit(alice)).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    await expect(deleteForAll(alice)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    ahead = 0;

    await expect(edit(alice, '')).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(edit(alice, '   ')).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(edit(alice, 'x'.repeat(LIMITS.MESSAGE_TEXT_MAX + 1))).rejects.toMatchObject({
      code: 'TEXT_TOO_LONG',
    });
    await expect(edit(alice, 'changed', 9999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const stranger = await newUser('Stranger');
    await expect(edit(stranger)).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    await expect(
      call('messages.delete', { chatId: chat.id, seq: message.seq }, alice),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    // A member who joined later cannot reach what came before.
    const late = await newUser('Late');
    await call('chats.addMembers', { chatId: chat.id, userIds: [late.userId] }, alice);
    await expect(
      call('messages.delete', { chatId: chat.id, seq: message.seq, forEveryone: false }, late),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // None of that changed the message.
    expect((await history(chat.id, bob)).find((m) => m.seq === message.seq)).toMatchObject({
      text: 'Too late to take back',
      editedAt: null,
      deletedAt: null,
    });

    await deleteForAll(alice);
    await expect(edit(alice)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(deleteForAll(alice)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('deletes for everyone: a tombstone everywhere, and the text gone from the log', async () => {
    const { pts: before } = await call('updates.getState', {}, carol);
    const secret = await send('my password is hunter2');
    const edited = await send('first draft');
    await call('messages.edit', { chatId: chat.id, seq: edited.seq, text: 'final' }, alice);
    const carolLive = await live(carol);
    await call('messages.delete', { chatId: chat.id, seq: secret.seq, forEveryone: true }, alice);
    const deleted = await update(carolLive, 'message.deleted', (u) => u.seq === secret.seq);
    expect(deleted.update.deletedAt).toEqual(expect.any(Number));
    for (const user of [alice, bob, carol]) {
      expect((await history(chat.id, user)).find((m) => m.seq === secret.seq)).toMatchObject({
        text: '',
        deletedAt: expect.any(Number),
      });
    }

    // A device that was away catches up on the messages as they are now.
    const returning = await live(carol, before);
    const replayed = returning.frames
      .flatMap((f) => (f.type === 'updates' ? f.updates : []))
      .map((u) => u.update)
      .filter((u) => u.kind === 'message.new');
    expect(replayed.find((u) => u.message.seq === secret.seq)?.message).toMatchObject({
      text: '',
      deletedAt: expect.any(Number),
    });
    expect(replayed.find((u) => u.message.seq === edited.seq)?.message.text).toBe('final');
    const log = await s.server.ctx.database.db
      .selectFrom('chat_updates')
      .select('payload')
      .execute();
    const everything = JSON.stringify(log);
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain('first draft');
  });

  it('deletes for oneself on every device, and for no one else', async () => {
    const message = await send('only Bob minds this');
    const bobLaptop = await live(bob);
    const carolLive = await live(carol);
    await call('messages.delete', { chatId: chat.id, seq: message.seq, forEveryone: false }, bob);
    await update(bobLaptop, 'message.hidden', (u) => u.seq === message.seq);
    expect((await history(chat.id, bob)).map((m) => m.seq)).not.toContain(message.seq);
    expect((await history(chat.id, carol)).map((m) => m.seq)).toContain(message.seq);
    // Twice is once; Carol hears nothing of it.
    await call('messages.delete', { chatId: chat.id, seq: message.seq, forEveryone: false }, bob);
    await send('a later message');
    await update(carolLive, 'message.new');
    expect(updates(carolLive).some((u) => u.kind === 'message.hidden')).toBe(false);
  });
});
