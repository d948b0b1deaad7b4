import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RawSocket,
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat, Message } from '@tokki/protocol';

const CHATS = 50;
const MESSAGES = 1000;

describe.each(testDialects)('sync on %s', (dialect) => {
  let s: TestServer;
  let dana: TestUser;
  let friends: TestUser[];
  let chats: Chat[];
  const { call, live, update, closeSockets } = testClient(() => s);
  /** The messages of a socket's updates, which must all be new messages. */
  const messagesIn = (socket: RawSocket) =>
    socket
      .updates()
      .map(({ update: u }) =>
        u.kind === 'message.new' ? u.message : expect.unreachable(`${u.kind} among the messages`),
      );

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    dana = await signInTestUser(s.url, 1, { displayName: 'Dana' });
    friends = await Promise.all([2, 3, 4, 5, 6].map((n) => signInTestUser(s.url, n)));
    // 50 chats: direct chats with each friend, the rest groups.
    chats = await Promise.all(
      Array.from({ length: CHATS }, (_, i) =>
        i < friends.length
          ? call('chats.createDirect', { userId: dana.userId }, friends[i]!)
          : call(
              'chats.createGroup',
              { title: `Group ${i}`, memberIds: [dana.userId, friends[i % 5]!.userId] },
              friends[(i + 1) % 5]!,
            ),
      ),
    );
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  /** Sends `count` messages round-robin over the chats, `CHATS` in parallel. */
  async function sendMessages(count: number, tag: string): Promise<Message[]> {
    const sent: Message[] = [];
    await Promise.all(
      chats.map(async (chat, c) => {
        const sender = friends[c % friends.length]!;
        const members = await call('chats.members', { chatId: chat.id }, dana);
        const from = members.members.some((m) => m.user.id === sender.userId)
          ? sender
          : friends[(c + 1) % 5]!;
        for (let i = c; i < count; i += CHATS) {
          const { message } = await call(
            'messages.send',
            { chatId: chat.id, clientMsgId: `${tag}-${i}`, text: `${tag} ${i}` },
            from,
          );
          sent.push(message);
        }
      }),
    );
    return sent;
  }

  it('gives a device that was offline exactly what it missed, in order, once', async () => {
    const { pts } = await call('updates.getState', {}, dana);
    // Someone else's chat: none of its updates may reach Dana.
    const outside = await call('chats.createDirect', { userId: friends[1]!.userId }, friends[0]!);
    await call(
      'messages.send',
      { chatId: outside.id, clientMsgId: 'secret', text: 'not for Dana' },
      friends[0]!,
    );

    const sent = await sendMessages(MESSAGES, 'offline');
    const socket = await live(dana, pts);
    const connect = socket.frames.find((f) => f.type === 'res')!;
    expect(connect.result).toMatchObject({ mode: 'resume', pts });

    const updates = socket.updates();
    const points = updates.map((u) => u.pts);
    expect(points).toEqual([...points].sort((a, b) => a - b));
    expect(new Set(points).size).toBe(points.length);
    expect(updates.every((u) => u.update.kind === 'message.new')).toBe(true);
    const messages = messagesIn(socket);
    const received = messages.map((m) => `${m.chatId}/${m.seq}`).sort();
    expect(received).toEqual(sent.map((m) => `${m.chatId}/${m.seq}`).sort());
    expect(messages.some((m) => m.chatId === outside.id)).toBe(false);
    const synced = socket.frames.find((f) => f.type === 'synced');
    expect(synced?.pts).toBe(points.at(-1));

    // The same, a page at a time, over HTTP.
    const viaHttp: number[] = [];
    let cursor = pts;
    for (;;) {
      const page = await call('updates.getDifference', { pts: cursor, limit: 300 }, dana);
      expect(page.kind).toBe('updates');
      if (page.kind !== 'updates') break;
      viaHttp.push(...page.updates.map((u) => u.pts));
      cursor = page.pts;
      if (page.final) break;
    }
    expect(viaHttp).toEqual(points);

    // Live from here on: nothing repeats, nothing is skipped.
    const [liveMessage] = await sendMessages(1, 'live');
    const frame = await update(socket, 'message.new', (u) => u.message.text === 'live 0');
    // Other members' updates carry no clientMsgId (the sender's answer does).
    expect(frame.update.message).toEqual({ ...liveMessage, clientMsgId: undefined });
    expect(socket.updates()).toHaveLength(MESSAGES + 1);
    socket.close();
  });

  it('tells a device further behind than the server keeps to reload, and reloading gives the same state', async () => {
    const { pts: before } = await call('updates.getState', {}, dana);
    await sendMessages(100, 'pruned');
    // A device that was online the whole time builds its state from updates.
    const online = await live(dana, before);
    const fromUpdates = new Map<string, string>();
    for (const message of messagesIn(online))
      fromUpdates.set(`${message.chatId}/${message.seq}`, message.text);

    const pruned = await s.server.ctx.writes.run((w) => s.server.ctx.updates.prune(w, w.now + 1));
    expect(pruned).toBeGreaterThan(before);
    expect(await call('updates.getDifference', { pts: before }, dana)).toMatchObject({
      kind: 'tooLong',
    });

    const behind = await live(dana, before);
    expect(behind.frames.find((f) => f.type === 'res')?.result).toMatchObject({ mode: 'reload' });
    expect(behind.updates()).toHaveLength(0);

    // Reloading: the chat list, then each chat's history back to `before`.
    const fromReload = new Map<string, string>();
    const list = await call('chats.list', { limit: 100 }, dana);
    for (const chat of list.chats) {
      let cursor: string | undefined;
      do {
        const page = await call(
          'messages.history',
          { chatId: chat.id, limit: 200, ...(cursor && { cursor }) },
          dana,
        );
        for (const m of page.messages)
          if (m.text.startsWith('pruned')) fromReload.set(`${m.chatId}/${m.seq}`, m.text);
        cursor = page.cursor ?? undefined;
      } while (cursor);
    }
    expect(fromReload).toEqual(fromUpdates);
    expect(fromReload.size).toBe(100);

    // Both devices stay live after the reload.
    await sendMessages(1, 'after');
    await behind.waitFor((f) => f.type === 'update');
    await update(online, 'message.new', (u) => u.message.text === 'after 0');
    expect(messagesIn(behind).map((m) => m.text)).toEqual(['after 0']);
    online.close();
    behind.close();
  });

  it('delivers everything to every device of an account, and moves read pointers on both', async () => {
    const phone = await signInTestUser(s.url, 20, { deviceName: 'phone' });
    const pc = await signInTestUser(s.url, 20, { deviceName: 'pc' });
    const peer = await signInTestUser(s.url, 21);
    const chat = await call('chats.createDirect', { userId: peer.userId }, phone);
    const { pts } = await call('updates.getState', {}, phone);
    const [phoneSocket, pcSocket] = await Promise.all([live(phone, pts), live(pc, pts)]);

    const mine = await phoneSocket.request('messages.send', {
      chatId: chat.id,
      clientMsgId: 'p1',
      text: 'from my phone',
    });
    await call('messages.markRead', { chatId: chat.id, seq: 1 }, peer);
    await call(
      'messages.send',
      { chatId: chat.id, clientMsgId: 'q1', text: 'from the peer' },
      peer,
    );
    await pcSocket.request('messages.markRead', { chatId: chat.id, seq: 2 });

    const expected = [
      { kind: 'message.new', message: mine.result?.message },
      { kind: 'chat.read', chatId: chat.id, userId: peer.userId, readSeq: 1 },
      { kind: 'message.new', message: expect.objectContaining({ seq: 2, text: 'from the peer' }) },
      { kind: 'chat.read', chatId: chat.id, userId: phone.userId, readSeq: 2 },
    ];
    for (const socket of [phoneSocket, pcSocket]) {
      await socket.waitForUpdates(4);
      expect(socket.updates().map((u) => u.update)).toEqual(expected);
    }
    expect(phoneSocket.updates().map((u) => u.pts)).toEqual(pcSocket.updates().map((u) => u.pts));
    phoneSocket.close();
    pcSocket.close();
  });
});
