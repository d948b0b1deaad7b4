import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUsers,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
} from '@tokki/dev-env';

// Who may put whom into a group, with the default rule (`groupAdds: 'known'`; the harness's
// other tests run with 'anyone'). As in KakaoTalk: a friend of the user, or someone they
// already chat with; anyone else sends an invite link.
describe.each(testDialects)('adding people to groups on %s', (dialect) => {
  let s: TestServer;
  const { call } = testClient(() => s);

  beforeAll(async () => {
    s = await startTestServer({ dialect, config: { groupAdds: 'known' } });
  });
  afterAll(() => s?.close());

  const chatCount = async () => {
    const row = await s.server.ctx.database.db
      .selectFrom('chats')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const memberIds = async (chatId: string, as: Parameters<typeof call>[2]) =>
    (await call('chats.members', { chatId }, as)).members.map((m) => m.user.id).sort();

  it('refuses a stranger, at creation and later, and changes nothing', async () => {
    const [alice, stranger, friend] = await signInTestUsers(
      s.url,
      ['Alice', 'Stranger', 'Fr'],
      100,
    );
    const before = await chatCount();
    await expect(
      call('chats.createGroup', { title: 'Spam', memberIds: [stranger.userId] }, alice),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(await chatCount()).toBe(before);

    const group = await call('chats.createGroup', { title: 'Mine', memberIds: [] }, alice);
    await expect(
      call('chats.addMembers', { chatId: group.id, userIds: [stranger.userId] }, alice),
    ).rejects.toThrow(/invite link/);
    // One stranger among friends: all or none.
    await call('friends.add', { phone: alice.phone }, friend);
    await expect(
      call(
        'chats.addMembers',
        { chatId: group.id, userIds: [friend.userId, stranger.userId] },
        alice,
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await memberIds(group.id, alice)).toEqual([alice.userId]);
  });

  it('lets in someone who has the adder as a friend (not the other way round)', async () => {
    const [alice, bob, carol] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Carol'], 110);
    // Alice knowing Carol's number does not let her pull Carol in.
    await call('friends.add', { phone: carol.phone }, alice);
    await call('friends.add', { phone: alice.phone }, bob);
    const group = await call('chats.createGroup', { title: 'Ok', memberIds: [bob.userId] }, alice);
    expect(await memberIds(group.id, alice)).toEqual([alice.userId, bob.userId].sort());
    await expect(
      call('chats.addMembers', { chatId: group.id, userIds: [carol.userId] }, alice),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets in someone from a group both are in, and a 1:1 chat only once they wrote in it', async () => {
    const [alice, bob, dave] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Dave'], 120);
    // Bob joins Alice's group by its link: from then on they chat together.
    const first = await call('chats.createGroup', { title: 'First', memberIds: [] }, alice);
    const { token } = await call('chats.createInvite', { chatId: first.id }, alice);
    await call('chats.joinByInvite', { token }, bob);
    const second = await call(
      'chats.createGroup',
      { title: 'Second', memberIds: [bob.userId] },
      alice,
    );
    expect(await memberIds(second.id, alice)).toContain(bob.userId);

    // Anyone can open a 1:1 chat with anyone: that alone is no acquaintance.
    const direct = await call('chats.createDirect', { userId: dave.userId }, alice);
    await call('messages.send', { chatId: direct.id, clientMsgId: 'hi', text: 'hi' }, alice);
    await expect(
      call('chats.addMembers', { chatId: second.id, userIds: [dave.userId] }, alice),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await call('messages.send', { chatId: direct.id, clientMsgId: 'yo', text: 'yo' }, dave);
    await call('chats.addMembers', { chatId: second.id, userIds: [dave.userId] }, alice);
    expect(await memberIds(second.id, alice)).toContain(dave.userId);
  });

  it('still lets a stranger in by an invite link', async () => {
    const [alice, stranger] = await signInTestUsers(s.url, ['Alice', 'Stranger'], 130);
    const group = await call('chats.createGroup', { title: 'Open door', memberIds: [] }, alice);
    const { token } = await call('chats.createInvite', { chatId: group.id }, alice);
    await call('chats.joinByInvite', { token }, stranger);
    expect(await memberIds(group.id, alice)).toContain(stranger.userId);
  });
});
