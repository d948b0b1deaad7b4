import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat, Update } from '@tokki/protocol';

describe.each(testDialects)('admins, removing members and muting on %s', (dialect) => {
  let s: TestServer;
  const { call, live, update, closeSockets } = testClient(() => s);
  const roles = async (chatId: string, user: TestUser) =>
    Object.fromEntries(
      (await call('chats.members', { chatId }, user)).members.map((m) => [
        m.user.displayName,
        m.role,
      ]),
    );

  let owner: TestUser, admin: TestUser, member: TestUser, other: TestUser, group: Chat;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    const signIn = (n: number, displayName: string) => signInTestUser(s.url, n, { displayName });
    [owner, admin, member, other] = await Promise.all([
      signIn(1, 'Owner'),
      signIn(2, 'Admin'),
      signIn(3, 'Member'),
      signIn(4, 'Other'),
    ]);
    group = await call(
      'chats.createGroup',
      { title: '산악회', memberIds: [admin.userId, member.userId, other.userId] },
      owner,
    );
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('lets the owner name admins, and only the owner', async () => {
    const memberLive = await live(member);
    await call('chats.setRole', { chatId: group.id, userId: admin.userId, role: 'admin' }, owner);
    expect((await update(memberLive, 'chat.role')).update).toEqual({
      kind: 'chat.role',
      chatId: group.id,
      userId: admin.userId,
      role: 'admin',
      byUserId: owner.userId,
    });
    expect(await roles(group.id, member)).toMatchObject({
      Owner: 'owner',
      Admin: 'admin',
      Member: 'member',
    });
    await expect(
      call('chats.setRole', { chatId: group.id, userId: member.userId, role: 'admin' }, admin),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      call('chats.setRole', { chatId: group.id, userId: owner.userId, role: 'member' }, owner),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(
      call('chats.setRole', { chatId: group.id, userId: member.userId, role: 'owner' }, owner),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  });

  it('lets the owner and admins remove members, by rank, and the removed hear no more', async () => {
    await expect(
      call('chats.removeMember', { chatId: group.id, userId: owner.userId }, admin),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      call('chats.removeMember', { chatId: group.id, userId: other.userId }, member),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      call('chats.removeMember', { chatId: group.id, userId: admin.userId }, admin),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });

    const otherLive = await live(other);
    await call('chats.removeMember', { chatId: group.id, userId: other.userId }, admin);
    expect((await update(otherLive, 'chat.left')).update).toEqual({
      kind: 'chat.left',
      chatId: group.id,
      userId: other.userId,
      byUserId: admin.userId,
    });
    await expect(
      call('messages.send', { chatId: group.id, clientMsgId: 'after', text: 'hello?' }, other),
    ).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    await call('messages.send', { chatId: group.id, clientMsgId: 'x', text: 'still here' }, owner);
    expect(
      otherLive.frames.filter(
        (f) => f.type === 'update' && (f.update as Update).kind === 'message.new',
      ),
    ).toEqual([]);
    expect((await call('chats.get', { chatId: group.id }, owner)).memberCount).toBe(3);
    await expect(
      call('chats.removeMember', { chatId: group.id, userId: other.userId }, owner),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The owner may remove an admin.
    await call('chats.removeMember', { chatId: group.id, userId: admin.userId }, owner);
    expect(await roles(group.id, owner)).toEqual({ Owner: 'owner', Member: 'member' });
    // Those who left are still named, by id, for their older messages.
    const past = await call('chats.members', { chatId: group.id, userIds: [other.userId] }, member);
    expect(past.members).toEqual([
      expect.objectContaining({
        user: expect.objectContaining({ displayName: 'Other' }),
        left: true,
      }),
    ]);
    await expect(
      call('chats.members', { chatId: group.id, userIds: [owner.userId] }, other),
    ).rejects.toMatchObject({ code: 'NOT_MEMBER' });
  });

  it('lets people join by an invite link that its owner and admins make and revoke', async () => {
    const stranger = await signInTestUser(s.url, 20, { displayName: 'Stranger' });
    const late = await signInTestUser(s.url, 21, { displayName: 'Late' });
    await expect(call('chats.createInvite', { chatId: group.id }, member)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const { token: first } = await call('chats.createInvite', { chatId: group.id }, owner);
    const { token } = await call('chats.createInvite', { chatId: group.id }, owner);
    // A new link replaces the last.
    await expect(call('chats.joinByInvite', { token: first }, stranger)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const ownerLive = await live(owner);
    const joined = await call('chats.joinByInvite', { token }, stranger);
    expect(joined).toMatchObject({ id: group.id, title: '산악회' });
    expect((await update(ownerLive, 'chat.joined')).update).toMatchObject({
      userIds: [stranger.userId],
      byUserId: stranger.userId,
    });
    const again = await call('chats.joinByInvite', { token }, stranger);
    expect(again.memberCount).toBe(joined.memberCount);
    // Only a hash of the token is kept.
    const rows = await s.server.ctx.database.db.selectFrom('chat_invites').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);

    await call('chats.revokeInvite', { chatId: group.id }, owner);
    await expect(call('chats.joinByInvite', { token }, late)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      call('chats.joinByInvite', { token: 'not-a-real-token' }, late),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const direct = await call('chats.createDirect', { userId: late.userId }, owner);
    await expect(call('chats.createInvite', { chatId: direct.id }, owner)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('mutes a chat for the caller alone, on all their devices', async () => {
    const phone = await live(member);
    await call('chats.mute', { chatId: group.id, muted: true }, member);
    expect((await update(phone, 'chat.muted')).update).toEqual({
      kind: 'chat.muted',
      chatId: group.id,
      muted: true,
    });
    expect((await call('chats.get', { chatId: group.id }, member)).muted).toBe(true);
    expect(await call('chats.get', { chatId: group.id }, owner)).not.toHaveProperty('muted');
    const { chats } = await call('chats.list', {}, member);
    expect(chats.find((c) => c.id === group.id)?.muted).toBe(true);
    await call('chats.mute', { chatId: group.id, muted: false }, member);
    expect(await call('chats.get', { chatId: group.id }, member)).not.toHaveProperty('muted');
    await expect(
      call('chats.mute', { chatId: group.id, muted: true }, other),
    ).rejects.toMatchObject({ code: 'NOT_MEMBER' });
  });
});
