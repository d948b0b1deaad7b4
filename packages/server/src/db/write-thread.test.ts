// The SQLite write thread dying between its commit and its answer: what it committed is still
// published, its callers still answered, and the node keeps writing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUsers,
  startTestServer,
  testClient,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat } from '@tokki/protocol';

describe('a write thread that dies after its commit', () => {
  let s: TestServer;
  const { call, live, update, updates, closeSockets } = testClient(() => s);
  let alice: TestUser, bob: TestUser;
  let chat: Chat;

  beforeAll(async () => {
    s = await startTestServer({ dialect: 'sqlite' });
    [alice, bob] = await signInTestUsers(s.url, ['Alice', 'Bob']);
    chat = await call('chats.createDirect', { userId: bob.userId }, alice);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  /** Sends as a client does: retried with the same clientMsgId until answered. */
  const send = async (clientMsgId: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return (
          await call('messages.send', { chatId: chat.id, clientMsgId, text: clientMsgId }, alice)
        ).message;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  };

  it('publishes what it committed to a live listener, once, and the next writes work', async () => {
    const bobs = await live(bob);
    const thread = s.server.ctx.database.writeThread!;
    await thread.exitAfterNextCommitForTest();
    const lost = await send('committed, then the thread died');
    // Bob hears of it, although the thread that committed it never answered.
    await update(bobs, 'message.new', (u) => u.message.seq === lost.seq);

    const next = await send('after the restart');
    await update(bobs, 'message.new', (u) => u.message.seq === next.seq);
    expect(next.seq).toBe(lost.seq + 1);
    const seqs = updates(bobs).flatMap((u) => (u.kind === 'message.new' ? [u.message.seq] : []));
    expect(seqs).toEqual([lost.seq, next.seq]);
    const { messages } = await call('messages.history', { chatId: chat.id }, bob);
    const bySeq = [...messages].sort((x, y) => x.seq - y.seq);
    expect(bySeq.map((m) => m.text)).toEqual([
      'committed, then the thread died',
      'after the restart',
    ]);
  });

  it('still refuses a bad send after a restart, and stores nothing of it', async () => {
    const thread = s.server.ctx.database.writeThread!;
    await thread.exitAfterNextCommitForTest();
    await expect(
      call('messages.send', { chatId: 'c_nope', clientMsgId: 'x', text: 'x' }, alice),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const ok = await send('fine');
    const { messages } = await call('messages.history', { chatId: chat.id }, alice);
    expect(messages.filter((m) => m.text === 'fine')).toEqual([
      expect.objectContaining({ seq: ok.seq }),
    ]);
    expect(messages.filter((m) => m.seq > ok.seq)).toEqual([]);
  });
});
