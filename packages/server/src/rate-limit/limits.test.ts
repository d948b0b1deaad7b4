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
import type { ErrorBody } from '@tokki/protocol';

// Every limit on what costs answers RATE_LIMITED with retryAfter, and a refused call changes
// nothing. The server's clock is moved, not waited for.
describe.each(testDialects)('per-user limits on %s', (dialect) => {
  let s: TestServer;
  let ahead = 0;
  const { call, live, closeSockets } = testClient(() => s);

  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      config: {
        groupAdds: 'anyone',
        rateLimits: {
          messagesPerUser: { max: 3, windowSeconds: 60 },
          typingPerUser: { max: 2, windowSeconds: 60 },
          groupsPerUser: { max: 2, windowSeconds: 3600 },
          memberAddsPerUser: { max: 3, windowSeconds: 86_400 },
          uploadBytesPerUser: { max: 10 * 1024, windowSeconds: 86_400 },
        },
        requestsInFlightPerSocket: 2,
        imageDecodesAtOnce: 1,
      },
      overrides: { clock: () => Date.now() + ahead },
    });
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  let next = 200;
  const users = async () => {
    const first = next;
    next += 5;
    return signInTestUsers(s.url, ['A', 'B', 'C', 'D', 'E'], first);
  };
  const limited = expect.objectContaining({ code: 'RATE_LIMITED', status: 429 });
  const messageCount = async (chatId: string) => {
    const row = await s.server.ctx.database.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('chat_id', '=', chatId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  it('limits messages per user, forwards counting one per chat, until the window ends', async () => {
    const [alice, bob, carol] = await users();
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    const other = await call('chats.createDirect', { userId: carol.userId }, alice);
    await call('messages.send', { chatId: direct.id, clientMsgId: 'm1', text: '1' }, alice);
    await call('messages.send', { chatId: direct.id, clientMsgId: 'm2', text: '2' }, alice);
    // Two targets, one left in the window: all or none.
    await expect(
      call(
        'messages.forward',
        { chatId: direct.id, seq: 1, toChatIds: [direct.id, other.id], clientMsgId: 'f' },
        alice,
      ),
    ).rejects.toEqual(limited);
    await call('messages.send', { chatId: direct.id, clientMsgId: 'm3', text: '3' }, alice);
    const refused = await errorOf(
      call('messages.send', { chatId: direct.id, clientMsgId: 'm4', text: '4' }, alice),
    );
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
    expect(await messageCount(direct.id)).toBe(3);
    // Others are not held back by Alice's limit; Alice is, over WebSocket too.
    await call('messages.send', { chatId: direct.id, clientMsgId: 'b1', text: 'b' }, bob);
    const socket = await live(alice);
    const res = await socket.request('messages.send', {
      chatId: direct.id,
      clientMsgId: 'm4',
      text: '4',
    });
    expect(res.error).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });

    ahead += 61_000;
    await call('messages.send', { chatId: direct.id, clientMsgId: 'm4', text: '4' }, alice);
    expect(await messageCount(direct.id)).toBe(5);
  });

  it('limits typing events per user', async () => {
    const [alice, bob] = await users();
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    await call('chats.setTyping', { chatId: direct.id }, alice);
    await call('chats.setTyping', { chatId: direct.id }, alice);
    const refused = await errorOf(call('chats.setTyping', { chatId: direct.id }, alice));
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  });

  it('limits groups created and people added per user, counting nothing refused', async () => {
    const [alice, bob, carol, dave, eve] = await users();
    const first = await call('chats.createGroup', { title: 'One', memberIds: [bob.userId] }, alice);
    await call('chats.createGroup', { title: 'Two', memberIds: [] }, alice);
    const third = await errorOf(
      call('chats.createGroup', { title: 'Three', memberIds: [] }, alice),
    );
    expect(third).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(third.retryAfter).toBeLessThanOrEqual(3600);
    expect((await call('chats.list', {}, alice)).chats).toHaveLength(2);

    // One added so far: three more would be over the limit; two more are not.
    const adds = await errorOf(
      call(
        'chats.addMembers',
        { chatId: first.id, userIds: [carol.userId, dave.userId, eve.userId] },
        alice,
      ),
    );
    expect(adds).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect((await call('chats.members', { chatId: first.id }, alice)).members).toHaveLength(2);
    await expect(
      call('chats.addMembers', { chatId: first.id, userIds: [carol.userId, dave.userId] }, alice),
    ).resolves.toBeDefined();
    const members = await call('chats.members', { chatId: first.id }, alice);
    expect(members.members).toHaveLength(4);
  });

  it('answers RATE_LIMITED beyond the requests in flight on one socket, and keeps serving it', async () => {
    const [alice, bob] = await users();
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    const socket = await live(alice);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => socket.request('chats.get', { chatId: direct.id })),
    );
    const refused = answers.filter((res) => res.error);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused)
      expect(res.error).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(answers.filter((res) => !res.error).length).toBeGreaterThanOrEqual(2);
    // Answered, not dropped: the socket still works.
    const after = await socket.request('chats.get', { chatId: direct.id });
    expect(after.error).toBeUndefined();
  });

  it('limits the bytes a user uploads in a day, counted as uploads begin', async () => {
    const [alice, bob] = await users();
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    const file = { chatId: direct.id, filename: 'a.bin', filetype: 'application/octet-stream' };
    await uploadTestFile(s.url, alice.token, Buffer.alloc(6 * 1024, 1), file);
    const refused = await createUpload(alice, 6 * 1024, file);
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: ErrorBody };
    expect(body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    // A day later the quota is whole again; Bob's was never touched.
    await uploadTestFile(s.url, bob.token, Buffer.alloc(6 * 1024, 2), file);
    ahead += 86_400_000;
    await uploadTestFile(s.url, alice.token, Buffer.alloc(6 * 1024, 3), file);
  });

  it('decodes one image at a time when told to; the others wait and succeed', async () => {
    const [alice, bob] = await users();
    const direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    const images = await Promise.all(
      ['#a33', '#3a3', '#33a'].map((background) =>
        sharp({ create: { width: 40, height: 40, channels: 3, background } })
          .png()
          .toBuffer(),
      ),
    );
    const { imageDecodes } = s.server.ctx.media;
    let most = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        most = Math.max(most, imageDecodes.activeCount);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // Under the upload quota of this suite: 3 small images.
    const ids = await Promise.all(
      images.map((data, i) =>
        uploadTestFile(s.url, alice.token, data, {
          chatId: direct.id,
          filename: `${i}.png`,
          filetype: 'image/png',
        }),
      ),
    ).finally(() => (watching = false));
    await watch;
    expect(ids).toHaveLength(3);
    expect(most).toBeLessThanOrEqual(1);
    expect(imageDecodes.concurrency).toBe(1);
    expect(imageDecodes.pendingCount).toBe(0);
  });

  const createUpload = (
    user: TestUser,
    length: number,
    metadata: Record<string, string>,
  ): Promise<Response> =>
    fetch(`${s.url}/v1/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'tus-resumable': '1.0.0',
        'upload-length': String(length),
        'upload-metadata': Object.entries(metadata)
          .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
          .join(','),
      },
    });
});

/** The error body a refused call was answered with. */
async function errorOf(call: Promise<unknown>): Promise<ErrorBody> {
  try {
    await call;
  } catch (error) {
    return error as ErrorBody;
  }
  throw new Error('the call succeeded');
}
