import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { LIMITS, type MethodName } from '@tokki/protocol';

describe.each(testDialects)('open chats on %s', (dialect) => {
  let s: TestServer;
  const { call, live, update, closeSockets } = testClient(() => s);

  let host: TestUser, guest: TestUser, third: TestUser, stranger: TestUser;
  const names = new Map<TestUser, string>();

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    const signIn = async (n: number, displayName: string) => {
      const user = await signInTestUser(s.url, n, { displayName });
      names.set(user, displayName);
      return user;
    };
    [host, guest, third, stranger] = await Promise.all([
      signIn(1, 'Host Kim'),
      signIn(2, 'Guest Lee'),
      signIn(3, 'Third Park'),
      signIn(4, 'Stranger Choi'),
    ]);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  /** Every user id, name and number that must not reach another member of an open chat. */
  const secretsOf = (...users: TestUser[]) =>
    users.flatMap((u) => [u.userId, u.phone, u.phone.slice(1), names.get(u)!]);

  const expectNoSecrets = (value: unknown, ...users: TestUser[]) => {
    const text = JSON.stringify(value);
    for (const secret of secretsOf(...users)) expect(text).not.toContain(secret);
  };

  it('shows members only room nicknames, never user ids, profiles or numbers', async () => {
    const { chat, inviteToken } = await call(
      'open.create',
      { title: '등산 오픈채팅', nickname: '산토끼', description: '주말 산행', listed: true },
      host,
    );
    expect(chat).toMatchObject({
      kind: 'open',
      title: '등산 오픈채팅',
      memberCount: 1,
      open: {
        description: '주말 산행',
        memberLimit: LIMITS.OPEN_CHAT_MEMBERS_DEFAULT,
        listed: true,
      },
    });
    expect(chat.selfId).toMatch(/^p_/);
    const hostLive = await live(host);

    // The guest finds it by link without being anyone's friend, under a nickname of the room.
    expect(await call('chats.getInvite', { token: inviteToken }, guest)).toEqual({
      kind: 'open',
      title: '등산 오픈채팅',
      memberCount: 1,
      open: chat.open,
    });
    const joined = await call('open.join', { token: inviteToken, nickname: '구름' }, guest);
    expect(joined.selfId).toMatch(/^p_/);
    expect(joined.selfId).not.toBe(chat.selfId);
    const joinedUpdate = await update(hostLive, 'chat.joined');
    expect(joinedUpdate.update.userIds).toEqual([joined.selfId]);

    const guestLive = await live(guest);
    const sent = await call(
      'messages.send',
      { chatId: chat.id, clientMsgId: 'hello', text: '안녕하세요' },
      guest,
    );
    expect(sent.message.senderId).toBe(joined.selfId);
    const arrived = await update(hostLive, 'message.new');
    await call('messages.react', { chatId: chat.id, seq: 1, reaction: 'heart' }, host);
    const reacted = await update(guestLive, 'message.reacted');
    await call('messages.markRead', { chatId: chat.id, seq: 1 }, host);
    const read = await update(guestLive, 'chat.read');
    expect(read.update.userId).toBe(chat.selfId);
    await call('chats.setTyping', { chatId: chat.id }, guest);
    const typing = await hostLive.waitFor((f) => f.type === 'event');
    expect(typing.event).toEqual({ kind: 'typing', chatId: chat.id, userId: joined.selfId });

    // What each member can read of the other, from every method that names members.
    const seenByHost = [
      arrived,
      typing,
      await call('chats.members', { chatId: chat.id }, host),
      await call('messages.history', { chatId: chat.id }, host),
      await call('messages.search', { query: '안녕' }, host),
      await call('chats.get', { chatId: chat.id }, host),
      await call('updates.getDifference', { pts: 0 }, host),
    ];
    const seenByGuest = [
      reacted,
      read,
      await call('chats.members', { chatId: chat.id }, guest),
      await call('messages.history', { chatId: chat.id }, guest),
      await call('chats.list', {}, guest),
      await call('updates.getDifference', { pts: 0 }, guest),
    ];
    expectNoSecrets(seenByHost, guest);
    expectNoSecrets(seenByGuest, host);
    const { members } = await call('chats.members', { chatId: chat.id }, guest);
    expect(members).toEqual(
      expect.arrayContaining([
        {
          user: { id: chat.selfId, displayName: '산토끼', statusMessage: '', photo: null },
          role: 'owner',
          readSeq: 1,
          joinedSeq: 0,
        },
        expect.objectContaining({
          user: { id: joined.selfId, displayName: '구름', statusMessage: '', photo: null },
          role: 'member',
        }),
      ]),
    );
    // A room profile's id is nobody's user id: it opens no profile and no 1:1 chat.
    expect((await call('users.get', { userIds: [joined.selfId] }, host)).users).toEqual([]);
    await expect(call('chats.createDirect', { userId: joined.selfId }, host)).rejects.toMatchObject(
      { code: 'NOT_FOUND' },
    );

    // Nicknames change for the room alone.
    await call('open.setNickname', { chatId: chat.id, nickname: ' 먹구름 ' }, guest);
    expect((await update(hostLive, 'chat.nickname')).update).toEqual({
      kind: 'chat.nickname',
      chatId: chat.id,
      userId: joined.selfId,
      nickname: '먹구름',
    });
    expect((await call('profile.get', {}, guest)).displayName).toBe('Guest Lee');
  });

  it('finds listed rooms by title and hides unlisted ones but by their link', async () => {
    const listed = await call(
      'open.create',
      { title: 'Tokki Fans 2026', nickname: 'a', listed: true },
      host,
    );
    const hidden = await call('open.create', { title: 'Tokki Secret Fans', nickname: 'b' }, host);
    const found = await call('open.search', { query: 'fans' }, stranger);
    expect(found.chats.map((c) => c.id)).toEqual([listed.chat.id]);
    expect(found.chats[0]).toMatchObject({
      title: 'Tokki Fans 2026',
      memberCount: 1,
      listed: true,
    });
    // LIKE's own characters are taken literally: "0%" is not "a 0, then anything".
    const sale = await call('open.create', { title: '50% off', nickname: 'c', listed: true }, host);
    const literal = await call('open.search', { query: '0%' }, stranger);
    expect(literal.chats.map((c) => c.id)).toEqual([sale.chat.id]);
    expect((await call('open.search', { query: '_' }, stranger)).chats).toEqual([]);
    expect(await call('open.get', { chatId: listed.chat.id }, stranger)).toMatchObject({
      id: listed.chat.id,
      memberLimit: LIMITS.OPEN_CHAT_MEMBERS_DEFAULT,
    });
    // An unlisted room's id answers like no room at all; its link works.
    for (const [method, params] of [
      ['open.get', { chatId: hidden.chat.id }],
      ['open.join', { chatId: hidden.chat.id, nickname: 'x' }],
      ['open.get', { chatId: 'c_nosuchchat' }],
    ] as const)
      await expect(call(method, params, stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const joined = await call(
      'open.join',
      { token: hidden.inviteToken, nickname: '손님' },
      stranger,
    );
    expect(joined).toMatchObject({ id: hidden.chat.id, memberCount: 2 });
    // Joining again is harmless; a listed room may be joined by id.
    expect(
      await call('open.join', { token: hidden.inviteToken, nickname: '손님2' }, stranger),
    ).toMatchObject({ memberCount: 2 });
    expect(
      await call('open.join', { chatId: listed.chat.id, nickname: '팬' }, stranger),
    ).toMatchObject({ memberCount: 2 });
  });

  it('keeps to the member limit the host sets', async () => {
    const { chat, inviteToken } = await call(
      'open.create',
      { title: 'Tiny', nickname: 'host', memberLimit: 2 },
      host,
    );
    await call('open.join', { token: inviteToken, nickname: 'one' }, guest);
    await expect(
      call('open.join', { token: inviteToken, nickname: 'two' }, third),
    ).rejects.toMatchObject({ code: 'GROUP_FULL' });
    await expect(
      call('open.update', { chatId: chat.id, memberLimit: 1 }, host),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(
      call('open.update', { chatId: chat.id, memberLimit: 3 }, guest),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const hostLive = await live(host);
    await call('open.update', { chatId: chat.id, memberLimit: 3, description: '작은 방' }, host);
    expect((await update(hostLive, 'chat.open')).update).toMatchObject({
      kind: 'chat.open',
      open: { memberLimit: 3, description: '작은 방', listed: false },
    });
    await call('open.join', { token: inviteToken, nickname: 'two' }, third);
    expect((await call('chats.get', { chatId: chat.id }, third)).memberCount).toBe(3);
    await expect(
      call('open.update', { chatId: chat.id, memberLimit: 2 }, host),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringMatching(/3 members/),
    });
    expect((await call('chats.get', { chatId: chat.id }, host)).open?.memberLimit).toBe(3);
  });

  it('lets the host and co-hosts remove members, who may not come back', async () => {
    const { chat, inviteToken } = await call(
      'open.create',
      { title: 'Moderated', nickname: '방장' },
      host,
    );
    const guestChat = await call('open.join', { token: inviteToken, nickname: '부방장' }, guest);
    const thirdChat = await call('open.join', { token: inviteToken, nickname: '손님' }, third);
    // Members are named by their room profiles here, not by user ids.
    await expect(
      call('chats.setRole', { chatId: chat.id, userId: guest.userId, role: 'admin' }, host),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await call('chats.setRole', { chatId: chat.id, userId: guestChat.selfId, role: 'admin' }, host);
    await expect(
      call('chats.removeMember', { chatId: chat.id, userId: chat.selfId }, third),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const thirdLive = await live(third);
    await call('chats.removeMember', { chatId: chat.id, userId: thirdChat.selfId }, guest);
    expect((await update(thirdLive, 'chat.left')).update).toEqual({
      kind: 'chat.left',
      chatId: chat.id,
      userId: thirdChat.selfId,
      byUserId: guestChat.selfId,
    });
    await expect(
      call('open.join', { token: inviteToken, nickname: '다시' }, third),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      call('messages.send', { chatId: chat.id, clientMsgId: 'x', text: 'hi' }, third),
    ).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    const { members } = await call('chats.members', { chatId: chat.id }, host);
    expect(members).toHaveLength(2);
    // The sender of an older message is named even after they left, still by nickname only.
    const past = await call(
      'chats.members',
      { chatId: chat.id, userIds: [thirdChat.selfId, third.userId, 'p_nosuchprofile'] },
      host,
    );
    expect(past).toEqual({
      members: [
        {
          user: { id: thirdChat.selfId, displayName: '손님', statusMessage: '', photo: null },
          role: 'member',
          readSeq: 0,
          joinedSeq: 0,
          left: true,
        },
      ],
      cursor: null,
    });
  });

  it('hands the room to a co-host when the host leaves', async () => {
    const { chat, inviteToken } = await call(
      'open.create',
      { title: 'Handover', nickname: 'h' },
      host,
    );
    const a = await call('open.join', { token: inviteToken, nickname: 'a' }, guest);
    const b = await call('open.join', { token: inviteToken, nickname: 'b' }, third);
    await call('chats.setRole', { chatId: chat.id, userId: b.selfId, role: 'admin' }, host);
    await call('chats.leave', { chatId: chat.id }, host);
    const roles = Object.fromEntries(
      (await call('chats.members', { chatId: chat.id }, guest)).members.map((m) => [
        m.user.id,
        m.role,
      ]),
    );
    expect(roles).toEqual({ [a.selfId!]: 'member', [b.selfId!]: 'owner' });
    const [gone] = (await call('chats.members', { chatId: chat.id, userIds: [chat.selfId] }, guest))
      .members;
    expect(gone).toMatchObject({ role: 'member', left: true });
    await call('chats.leave', { chatId: chat.id }, guest);
    const back = await call('open.join', { token: inviteToken, nickname: 'a again' }, guest);
    expect(back.selfId).toBe(a.selfId);
  });

  it('takes the large-group path: a message writes one row and one update, whatever the size', async () => {
    const { chat, inviteToken } = await call('open.create', { title: 'Big', nickname: 'h' }, host);
    const crowd = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signInTestUser(s.url, 100 + i)),
    );
    for (const [i, user] of crowd.entries())
      await call('open.join', { token: inviteToken, nickname: `n${i}` }, user);
    const { db } = s.server.ctx.database;
    const snapshot = async () => ({
      updates: (
        await db.selectFrom('chat_updates').select('pts').where('chat_id', '=', chat.id).execute()
      ).length,
      messages: (
        await db.selectFrom('messages').select('seq').where('chat_id', '=', chat.id).execute()
      ).length,
      members: await db
        .selectFrom('chat_members')
        .selectAll()
        .where('chat_id', '=', chat.id)
        .orderBy('user_id')
        .execute(),
    });
    const before = await snapshot();
    await call('messages.send', { chatId: chat.id, clientMsgId: 'big', text: '안녕' }, crowd[0]!);
    const after = await snapshot();
    expect(after.updates).toBe(before.updates + 1);
    expect(after.messages).toBe(before.messages + 1);
    // Only the sender's own read pointer moved; no row per member.
    const changed = after.members.filter(
      (row, i) => JSON.stringify(row) !== JSON.stringify(before.members[i]),
    );
    expect(changed.map((row) => row.user_id)).toEqual([crowd[0]!.userId]);
  });

  it('refuses bad input and changes nothing', async () => {
    const { chat, inviteToken } = await call(
      'open.create',
      { title: 'Rules', nickname: 'host' },
      host,
    );
    const refused = async (method: MethodName, params: unknown, user: TestUser, code: string) =>
      expect(call(method, params, user)).rejects.toMatchObject({ code });
    await refused('open.create', { title: '  ', nickname: 'x' }, host, 'INVALID_PARAMS');
    await refused('open.create', { title: 'T', nickname: '   ' }, host, 'INVALID_PARAMS');
    await refused('open.create', { title: 'T' }, host, 'INVALID_PARAMS');
    await refused(
      'open.create',
      { title: 'T', nickname: 'x', memberLimit: LIMITS.GROUP_MEMBERS_MAX + 1 },
      host,
      'INVALID_PARAMS',
    );
    await refused(
      'open.join',
      { token: inviteToken, nickname: '가'.repeat(LIMITS.NICKNAME_MAX + 1) },
      guest,
      'TEXT_TOO_LONG',
    );
    await refused(
      'open.join',
      { token: inviteToken, chatId: chat.id, nickname: 'x' },
      guest,
      'INVALID_PARAMS',
    );
    await refused('open.join', { token: 'nope', nickname: 'x' }, guest, 'NOT_FOUND');
    // An open chat is joined by nickname, never added to nor joined as a group.
    await refused('chats.joinByInvite', { token: inviteToken }, guest, 'INVALID_PARAMS');
    await refused(
      'chats.addMembers',
      { chatId: chat.id, userIds: [guest.userId] },
      host,
      'BAD_REQUEST',
    );
    await refused('open.setNickname', { chatId: chat.id, nickname: 'x' }, guest, 'NOT_MEMBER');
    const group = await call('chats.createGroup', { title: 'G', memberIds: [] }, host);
    await refused('open.setNickname', { chatId: group.id, nickname: 'x' }, host, 'BAD_REQUEST');
    await refused('open.update', { chatId: group.id, listed: true }, host, 'BAD_REQUEST');
    await refused('open.get', { chatId: group.id }, host, 'NOT_FOUND');
    // Renaming an open chat is for its host and co-hosts.
    await call('open.join', { token: inviteToken, nickname: 'member' }, guest);
    await refused('chats.rename', { chatId: chat.id, title: 'Mine' }, guest, 'FORBIDDEN');
    expect(await call('chats.get', { chatId: chat.id }, host)).toMatchObject({
      title: 'Rules',
      memberCount: 2,
    });
  });
});
