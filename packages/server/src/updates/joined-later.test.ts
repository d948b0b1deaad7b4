import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUsers,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Update } from '@tokki/protocol';

/** Whether an update is about message `seq` of the chat (its edit, deletion, reaction or pin). */
const isAbout = (update: Update, chatId: string, seq: number) =>
  'chatId' in update && update.chatId === chatId && 'seq' in update && update.seq === seq;

describe.each(testDialects)('a member who joined later, on %s', (dialect) => {
  let s: TestServer;
  let next = 1;
  const { call, live, update, updates, closeSockets } = testClient(() => s);
  const send = (user: TestUser, chatId: string, text: string) =>
    call('messages.send', { chatId, clientMsgId: `m${next++}`, text }, user).then((r) => r.message);

  let alice: TestUser, bob: TestUser, carol: TestUser;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob, carol] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Carol']);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('gets no edit, reaction, pin or deletion of a message from before they joined, live or in catch-up', async () => {
    const group = await call(
      'chats.createGroup',
      { title: 'Before', memberIds: [bob.userId] },
      alice,
    );
    const old = await send(alice, group.id, 'before Carol');
    await call('chats.addMembers', { chatId: group.id, userIds: [carol.userId] }, alice);
    const carolLive = await live(carol);
    const bobLive = await live(bob);

    await call('messages.edit', { chatId: group.id, seq: old.seq, text: 'still before' }, alice);
    await call('messages.react', { chatId: group.id, seq: old.seq, reaction: 'heart' }, bob);
    await call('chats.pin', { chatId: group.id, seq: old.seq }, alice);
    await call('messages.delete', { chatId: group.id, seq: old.seq, forEveryone: true }, alice);
    // Then a message of her time, and the same done to it: all of that she gets.
    const fresh = await send(alice, group.id, 'after Carol');
    await call('messages.edit', { chatId: group.id, seq: fresh.seq, text: 'edited' }, alice);
    await call('messages.react', { chatId: group.id, seq: fresh.seq, reaction: 'like' }, bob);
    await call('chats.pin', { chatId: group.id, seq: fresh.seq }, alice);
    await call('messages.delete', { chatId: group.id, seq: fresh.seq, forEveryone: true }, alice);

    // Bob, there before, gets every one of them.
    await update(bobLive, 'message.deleted', (u) => u.seq === fresh.seq);
    const bobs = updates(bobLive).filter((u) => isAbout(u, group.id, old.seq));
    expect(bobs.map((u) => u.kind)).toEqual([
      'message.edited',
      'message.reacted',
      'chat.pinned',
      'message.deleted',
    ]);

    await update(carolLive, 'message.deleted', (u) => u.seq === fresh.seq);
    const seen = updates(carolLive);
    expect(seen.filter((u) => isAbout(u, group.id, fresh.seq)).map((u) => u.kind)).toEqual([
      'message.edited',
      'message.reacted',
      'chat.pinned',
      'message.deleted',
    ]);
    expect(seen.filter((u) => isAbout(u, group.id, old.seq))).toEqual([]);

    // Catch-up from the start, served from the recent-updates memory and then from the database.
    const caughtUp = async () => {
      const difference = await call('updates.getDifference', { pts: 0 }, carol);
      return difference.kind === 'updates' ? difference.updates.map((e) => e.update) : [];
    };
    const fromMemory = await caughtUp();
    expect(fromMemory.some((u) => isAbout(u, group.id, fresh.seq))).toBe(true);
    expect(fromMemory.filter((u) => isAbout(u, group.id, old.seq))).toEqual([]);
    const recent = s.server.ctx.updates.recentUpdates;
    recent?.evictThrough(recent.publishedThrough);
    const fromDatabase = await caughtUp();
    expect(fromDatabase).toEqual(fromMemory);
    // A reconnecting device's catch-up batch goes the same way.
    const carolAgain = await live(carol, 0);
    await carolAgain.waitFor(() =>
      updates(carolAgain).some((u) => u.kind === 'message.deleted' && u.seq === fresh.seq),
    );
    expect(updates(carolAgain).filter((u) => isAbout(u, group.id, old.seq))).toEqual([]);
    // And she cannot act on it herself.
    await expect(
      call('messages.react', { chatId: group.id, seq: old.seq, reaction: 'like' }, carol),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
