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
import { LIMITS, type Event, type Presence } from '@tokki/protocol';

describe.each(testDialects)('presence and last seen on %s', (dialect) => {
  let s: TestServer;
  const { call, live: connect, closeSockets } = testClient(() => s);
  const presenceEvents = (socket: RawSocket): Presence[] =>
    socket.frames.flatMap((f) => {
      const event = f.type === 'event' ? (f.event as Event) : undefined;
      return event?.kind === 'presence' ? [event.presence] : [];
    });
  /** The next presence event after the `seen` ones. */
  const nextPresence = async (socket: RawSocket, seen: number) => {
    await socket.waitFor(() => presenceEvents(socket).length > seen);
    return presenceEvents(socket)[seen]!;
  };
  const watch = async (socket: RawSocket, userIds: string[]) => {
    const res = await socket.request('presence.watch', { userIds });
    if (res.error) throw Object.assign(new Error(res.error.message), res.error);
    if (!res.result) throw new Error('presence.watch answered neither result nor error');
    return res.result.presences;
  };
  const closeAndWait = async (socket: RawSocket) => {
    socket.close();
    await socket.waitForClose();
  };

  let viewer: TestUser, friend: TestUser, stranger: TestUser;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [viewer, friend, stranger] = await Promise.all([
      signInTestUser(s.url, 1, { displayName: 'Viewer' }),
      signInTestUser(s.url, 2, { displayName: 'Friend' }),
      signInTestUser(s.url, 3, { displayName: 'Stranger' }),
    ]);
    // "friends" means those in the watched user's friend list.
    await call('friends.addById', { userId: viewer.userId }, friend);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('tells a watcher when a friend comes online and when they were last seen', async () => {
    expect(await call('privacy.get', {}, friend)).toEqual({ lastSeen: 'friends' });
    const watcher = await connect(viewer);
    expect(await watch(watcher, [friend.userId])).toEqual([
      { userId: friend.userId, state: 'offline', lastSeenAt: null },
    ]);

    // Online while any device is connected; offline, with the time, when the last one closes.
    const phone = await connect(friend);
    expect(await nextPresence(watcher, 0)).toEqual({ userId: friend.userId, state: 'online' });
    const pc = await connect(friend);
    await closeAndWait(phone);
    expect(await watch(watcher, [friend.userId])).toEqual([
      { userId: friend.userId, state: 'online' },
    ]);
    const before = Date.now();
    await closeAndWait(pc);
    const offline = await nextPresence(watcher, 1);
    expect(offline).toMatchObject({ userId: friend.userId, state: 'offline' });
    expect(offline.lastSeenAt).toBeGreaterThanOrEqual(before - 1000);
    expect(presenceEvents(watcher)).toHaveLength(2);
    // Asked later, over HTTP, the answer is the same.
    expect((await call('presence.watch', { userIds: [friend.userId] }, viewer)).presences).toEqual([
      offline,
    ]);
  });

  it('follows the privacy setting, at once for those watching', async () => {
    const friendLive = await connect(friend);
    const watcher = await connect(viewer);
    const outsider = await connect(stranger);
    expect(await watch(watcher, [friend.userId])).toEqual([
      { userId: friend.userId, state: 'online' },
    ]);
    expect(await watch(outsider, [friend.userId])).toEqual([
      { userId: friend.userId, state: 'hidden' },
    ]);

    await call('privacy.update', { lastSeen: 'nobody' }, friend);
    expect(await nextPresence(watcher, 0)).toEqual({ userId: friend.userId, state: 'hidden' });
    expect(await watch(watcher, [friend.userId])).toEqual([
      { userId: friend.userId, state: 'hidden' },
    ]);

    await call('privacy.update', { lastSeen: 'everyone' }, friend);
    expect(await nextPresence(outsider, 0)).toEqual({ userId: friend.userId, state: 'online' });
    expect(await nextPresence(watcher, 1)).toEqual({ userId: friend.userId, state: 'online' });
    expect(await call('privacy.get', {}, friend)).toEqual({ lastSeen: 'everyone' });

    // Whoever they blocked sees nothing, whatever the setting; everyone sees themselves.
    await call('friends.block', { userId: stranger.userId }, friend);
    expect(await watch(outsider, [friend.userId, stranger.userId])).toEqual([
      { userId: friend.userId, state: 'hidden' },
      { userId: stranger.userId, state: 'online' },
    ]);
    await closeAndWait(friendLive);
    expect(await nextPresence(watcher, 2)).toMatchObject({ state: 'offline' });
    // Their going offline tells the blocked user nothing (a reply on the same socket comes
    // after any event sent before it).
    await outsider.request('privacy.get', {});
    expect(presenceEvents(outsider)).toHaveLength(1);
    await call('friends.unblock', { userId: stranger.userId }, friend);
    await call('privacy.update', { lastSeen: 'friends' }, friend);
  });

  it('stops telling a connection what it no longer watches', async () => {
    const watcher = await connect(viewer);
    await watch(watcher, [friend.userId]);
    await watch(watcher, [stranger.userId]);
    const friendLive = await connect(friend);
    await closeAndWait(friendLive);
    // A later event for someone it does watch arrives; none came for the friend before it.
    await call('privacy.update', { lastSeen: 'everyone' }, stranger);
    const first = await nextPresence(watcher, 0);
    expect(first.userId).toBe(stranger.userId);
    await call('privacy.update', { lastSeen: 'friends' }, stranger);
  });

  it('keeps a user who reconnects at once online (a page reload)', async () => {
    const watcher = await connect(viewer);
    const first = await connect(friend);
    expect(await watch(watcher, [friend.userId])).toEqual([
      { userId: friend.userId, state: 'online' },
    ]);
    first.close();
    const second = await connect(friend);
    await first.waitForClose();
    // Whatever order the close, the reconnect and the stored last-seen time land in, the last
    // word is "online".
    await expect
      .poll(async () => (await watch(watcher, [friend.userId]))[0]!.state, { timeout: 2000 })
      .toBe('online');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await watch(watcher, [friend.userId])).toEqual([
      { userId: friend.userId, state: 'online' },
    ]);
    await closeAndWait(second);
  });

  it('answers the same for no such user as for a hidden one, and refuses bad input', async () => {
    const watcher = await connect(viewer);
    expect(await watch(watcher, ['u_nosuchuser'])).toEqual([
      { userId: 'u_nosuchuser', state: 'hidden' },
    ]);
    const tooMany = Array.from({ length: LIMITS.PRESENCE_WATCH_MAX + 1 }, (_, i) => `u_${i}`);
    await expect(call('presence.watch', { userIds: tooMany }, viewer)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await expect(call('presence.watch', { userIds: ['bad id!'] }, viewer)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await expect(call('privacy.update', { lastSeen: 'contacts' }, viewer)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    expect(await call('privacy.get', {}, viewer)).toEqual({ lastSeen: 'friends' });
  });
});
