import { createHash, createHmac } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTestDatabase,
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  testPhone,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { LIMITS, type Me } from '@tokki/protocol';
import { startServer } from '../server.js';

/** Numbers of people who never sign up: what must not be stored in the clear. */
const NON_USERS = ['010-9876-5432', '+81 90-1234-5678', '+1 415 555 2671'];
const NON_USERS_E164 = ['+821098765432', '+819012345678', '+14155552671'];

const DISCOVERY_WINDOW_SECONDS = 2;

describe.each(testDialects)('friends on %s', (dialect) => {
  let s: TestServer;
  let next = 100;
  const newUser = (name: string) => signInTestUser(s.url, next++, { displayName: name });
  const { call, live, update, updates, closeSockets } = testClient(() => s);
  const friendsOf = async (user: TestUser) => (await call('friends.list', {}, user)).friends;
  const recommendedTo = async (user: TestUser) =>
    (await call('friends.recommended', {}, user)).recommendations;

  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      config: {
        rateLimits: {
          contactDiscoveryPerAccount: { max: 40, windowSeconds: DISCOVERY_WINDOW_SECONDS },
          contactDiscoveryPerDevice: { max: 30, windowSeconds: DISCOVERY_WINDOW_SECONDS },
        },
      },
    });
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('makes contacts who use Tokki friends, and recommends the uploader to them, live', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const bobLive = await live(bob);

    const result = await call(
      'contacts.sync',
      {
        add: [
          { phone: bob.phone, name: 'Bobby' },
          { phone: NON_USERS[0], name: 'Mom' },
          { phone: 'call me maybe' },
          { phone: bob.phone.replace('+99966', '+999 66 '), name: 'Bobby' },
        ],
      },
      alice,
    );
    expect(result).toEqual({
      added: 2,
      renamed: 0,
      removed: 0,
      rejected: [{ list: 'add', index: 2, reason: 'Not a valid phone number.' }],
      friendsAdded: [expect.objectContaining({ contactName: 'Bobby' })],
    });
    expect(result.friendsAdded[0]!.user).toMatchObject({ id: bob.userId, displayName: 'Bob' });
    expect(await friendsOf(alice)).toEqual([
      expect.objectContaining({
        user: expect.objectContaining({ id: bob.userId }),
        contactName: 'Bobby',
        favorite: false,
        hidden: false,
      }),
    ]);
    // Nothing about the number's owner beyond their public profile.
    expect(JSON.stringify(result)).not.toContain(bob.phone);

    // Bob does not have Alice's number: she is recommended to him, live.
    const recommended = await update(
      bobLive,
      'recommendation.added',
      (u) => u.recommendation.user.id === alice.userId,
    );
    expect(recommended.update.recommendation.user.displayName).toBe('Alice');
    expect((await recommendedTo(bob)).map((r) => r.user.id)).toEqual([alice.userId]);
    expect(await friendsOf(bob)).toEqual([]);
    expect(await recommendedTo(alice)).toEqual([]);

    // Bob adds her: a friend now, and no longer a recommendation, on his other devices too.
    const added = await call('friends.addById', { userId: alice.userId }, bob);
    expect(added).toMatchObject({ user: { id: alice.userId }, contactName: null });
    await update(bobLive, 'recommendation.removed', (u) => u.userId === alice.userId);
    await update(bobLive, 'friend.added', (u) => u.friend.user.id === alice.userId);
    expect(await recommendedTo(bob)).toEqual([]);
    expect((await friendsOf(bob)).map((f) => f.user.id)).toEqual([alice.userId]);

    // Syncing the same book again adds nothing and counts nothing; a new name is a rename.
    const again = await call(
      'contacts.sync',
      {
        add: [
          { phone: bob.phone, name: 'Bob Kim' },
          { phone: NON_USERS[0], name: 'Mom' },
        ],
      },
      alice,
    );
    expect(again).toMatchObject({ added: 0, renamed: 1, friendsAdded: [] });
    // The friend follows the address book, until renamed in Tokki, which the book does not undo.
    expect((await friendsOf(alice))[0]!.contactName).toBe('Bob Kim');
    await call('friends.update', { userId: bob.userId, contactName: 'Bob (work)' }, alice);
    await call('contacts.sync', { add: [{ phone: bob.phone, name: 'B' }] }, alice);
    expect((await friendsOf(alice))[0]!.contactName).toBe('Bob (work)');
  });

  it('befriends a contact who signs up later, and recommends the uploader to them', async () => {
    const alice = await newUser('Alice');
    const aliceLive = await live(alice);
    const later = next++;
    const { phone } = testPhone(later);
    await call('contacts.sync', { add: [{ phone, name: 'New colleague' }] }, alice);
    expect(await friendsOf(alice)).toEqual([]);

    const jin = await signInTestUser(s.url, later, { displayName: 'Jin' });
    const friendAdded = await update(
      aliceLive,
      'friend.added',
      (u) => u.friend.user.id === jin.userId,
    );
    expect(friendAdded.update.friend.contactName).toBe('New colleague');
    expect((await recommendedTo(jin)).map((r) => r.user.id)).toEqual([alice.userId]);
  });

  it('stores no number of a non-user, only a keyed hash', async () => {
    const alice = await newUser('Alice');
    await call(
      'contacts.sync',
      { add: NON_USERS.map((phone, i) => ({ phone, name: `Person ${i}` })) },
      alice,
    );
    const { db } = s.server.ctx.database;
    const tables = [
      'users',
      'devices',
      'verification_codes',
      'rate_limits',
      'chats',
      'chat_members',
      'messages',
      'chat_updates',
      'user_updates',
      'counters',
      'contacts',
      'friends',
      'blocks',
      'recommendation_dismissals',
    ] as const;
    let dump = '';
    for (const table of tables)
      dump += JSON.stringify(await db.selectFrom(table).selectAll().execute());
    expect(dump).toContain('Person 0');
    for (const e164 of NON_USERS_E164) {
      const digits = e164.slice(1);
      // No form of the number, nor a hash anyone could compute without the server's key.
      const unkeyed = ['hex', 'base64', 'base64url'].map((encoding) =>
        createHash('sha256')
          .update(e164)
          .digest(encoding as 'hex'),
      );
      for (const form of [e164, digits, digits.slice(2), ...unkeyed])
        expect(dump).not.toContain(form);
    }
    expect(dump).not.toContain('9876-5432');
  });

  it('limits discovery per device and per account, refuses all of a call over it, then resets', async () => {
    const alice = await newUser('Alice');
    const secondDevice = await signInTestUser(s.url, next - 1, { deviceName: 'PC' });
    const numbers = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        phone: `010-5555-${String(from + i).padStart(4, '0')}`,
      }));

    // The device's 30 go through; one more is refused, whole, and stores nothing.
    expect((await call('contacts.sync', { add: numbers(0, 30) }, alice)).added).toBe(30);
    const refused = call('contacts.sync', { add: numbers(30, 2) }, alice);
    await expect(refused).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    await expect(refused).rejects.toThrow(/limited per account and device/);
    // The account's 40: ten more from the other device, then nothing from either.
    expect((await call('contacts.sync', { add: numbers(30, 10) }, secondDevice)).added).toBe(10);
    await expect(
      call('contacts.sync', { add: numbers(40, 1) }, secondDevice),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    // Lookups count too, and numbers already in the book do not.
    await expect(
      call('users.lookupPhone', { phone: NON_USERS[1] }, secondDevice),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect((await call('contacts.sync', { add: numbers(0, 40) }, secondDevice)).added).toBe(0);

    // A 100,000-line book, a chunk at a time, is refused at once while over the limit.
    const huge = Array.from({ length: LIMITS.CONTACTS_PER_CALL_MAX }, (_, i) => ({
      phone: `010-7${String(i).padStart(3, '0')}-0000`,
    }));
    await expect(call('contacts.sync', { add: huge }, alice)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    await expect(
      call('contacts.sync', { add: [...huge, { phone: '010-1111-2222' }] }, alice),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });

    // The refused numbers were not stored: once the window resets they are new.
    const afterReset = await vi.waitFor(
      () => call('contacts.sync', { add: numbers(40, 2) }, alice),
      {
        timeout: DISCOVERY_WINDOW_SECONDS * 1000 * 3,
        interval: 100,
      },
    );
    expect(afterReset.added).toBe(2);
    expect((await call('contacts.sync', { add: numbers(30, 2) }, alice)).added).toBe(0);
  });

  it('adds friends by number and by Tokki ID, without telling anything of non-users', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    await expect(call('friends.add', { phone: NON_USERS[2] }, alice)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.not.stringContaining('415'),
    });
    await expect(call('friends.add', { phone: 'twelve' }, alice)).rejects.toMatchObject({
      code: 'PHONE_INVALID',
    });
    await expect(call('friends.add', {}, alice)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(call('friends.add', { phone: alice.phone }, alice)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    expect(await call('friends.add', { phone: bob.phone }, alice)).toMatchObject({
      user: { id: bob.userId },
    });

    const carol = await newUser('Carol');
    const me = await call('profile.update', { tokkiId: 'Carol.Kim_7' }, carol);
    expect(me.tokkiId).toBe('carol.kim_7');
    await expect(call('profile.update', { tokkiId: 'CAROL.KIM_7' }, bob)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    for (const bad of ['ab', 'no spaces', 'a'.repeat(21), '한국어아이디'])
      await expect(call('profile.update', { tokkiId: bad }, bob)).rejects.toMatchObject({
        code: 'INVALID_PARAMS',
      });
    expect(await call('friends.add', { tokkiId: 'CAROL.kim_7' }, alice)).toMatchObject({
      user: { id: carol.userId },
    });
    await expect(call('friends.add', { tokkiId: 'nobody_here' }, alice)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // Removing the ID frees it.
    expect((await call('profile.update', { tokkiId: null }, carol)).tokkiId).toBeNull();
    expect((await call('profile.update', { tokkiId: 'carol.kim_7' }, bob)).tokkiId).toBe(
      'carol.kim_7',
    );

    // Favourite, hide, rename: the list follows, and a stranger is not a friend to change.
    await call(
      'friends.update',
      { userId: carol.userId, favorite: true, contactName: 'CK' },
      alice,
    );
    await call('friends.update', { userId: bob.userId, hidden: true }, alice);
    expect(
      (await friendsOf(alice)).map((f) => [
        f.contactName ?? f.user.displayName,
        f.favorite,
        f.hidden,
      ]),
    ).toEqual([
      ['CK', true, false],
      ['Bob', false, true],
    ]);
    const dave = await newUser('Dave');
    await expect(
      call('friends.update', { userId: dave.userId, favorite: true }, alice),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      call('friends.update', { userId: carol.userId, contactName: '  ' }, alice),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  });

  it('dismissed and blocked users are never recommended', async () => {
    const alice = await newUser('Alice');
    const fans = await Promise.all([newUser('Fan 1'), newUser('Fan 2'), newUser('Fan 3')]);
    for (const fan of fans) await call('contacts.sync', { add: [{ phone: alice.phone }] }, fan);
    expect(new Set((await recommendedTo(alice)).map((r) => r.user.id))).toEqual(
      new Set(fans.map((f) => f.userId)),
    );
    await call('friends.dismiss', { userId: fans[0]!.userId }, alice);
    await call('friends.block', { userId: fans[1]!.userId }, alice);
    expect((await recommendedTo(alice)).map((r) => r.user.id)).toEqual([fans[2]!.userId]);
    // Syncing again does not bring them back.
    for (const fan of fans.slice(0, 2))
      await call('contacts.sync', { add: [{ phone: alice.phone, name: 'again' }] }, fan);
    expect((await recommendedTo(alice)).map((r) => r.user.id)).toEqual([fans[2]!.userId]);
    // Nor is a blocker recommended to the one they blocked.
    const eve = await newUser('Eve');
    await call('contacts.sync', { add: [{ phone: eve.phone }] }, alice);
    expect((await recommendedTo(eve)).map((r) => r.user.id)).toEqual([alice.userId]);
    await call('friends.block', { userId: eve.userId }, alice);
    expect(await recommendedTo(eve)).toEqual([]);
    await expect(call('friends.dismiss', { userId: 'u_nobody' }, alice)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('blocking refuses messages and chats without saying why, and freezes the profile', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const friend = await newUser('Friend');
    await call('friends.addById', { userId: alice.userId }, bob);
    await call('friends.addById', { userId: alice.userId }, friend);
    const chat = await call('chats.createDirect', { userId: alice.userId }, bob);
    const send = (clientMsgId: string) =>
      call('messages.send', { chatId: chat.id, clientMsgId, text: 'hi' }, bob);
    await send('before');

    const aliceLive = await live(alice);
    await call('friends.block', { userId: bob.userId }, alice);
    await update(aliceLive, 'block.added', (u) => u.user.id === bob.userId);
    expect((await call('friends.blocked', {}, alice)).users.map((u) => u.id)).toEqual([bob.userId]);
    // Blocking twice is blocking once.
    await call('friends.block', { userId: bob.userId }, alice);

    // Bob's new message is refused and not stored; a retry of an old one still answers it.
    const refused = send('after');
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    await expect(refused).rejects.toThrow(/^(?!.*block).*$/i);
    expect((await send('before')).message.seq).toBe(1);
    const history = await call('messages.history', { chatId: chat.id }, alice);
    expect(history.messages.map((m) => m.seq)).toEqual([1]);

    // Someone Alice blocked cannot put her in a chat: the same answer as for no such user.
    const stranger = await newUser('Stranger');
    await call('friends.block', { userId: stranger.userId }, alice);
    const refusal = (attempt: Promise<unknown>) =>
      attempt.then(
        () => 'not refused',
        (error: Error) => error.message,
      );
    const noSuchUser = await refusal(call('chats.createDirect', { userId: 'u_nobody' }, stranger));
    const blocked = await refusal(call('chats.createDirect', { userId: alice.userId }, stranger));
    expect(blocked).toBe(noSuchUser.replace('u_nobody', alice.userId));
    await expect(
      call('chats.createGroup', { title: 'Trap', memberIds: [alice.userId] }, stranger),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const group = await call('chats.createGroup', { title: 'G', memberIds: [] }, stranger);
    await expect(
      call('chats.addMembers', { chatId: group.id, userIds: [alice.userId] }, stranger),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // And Alice cannot start a chat with someone she blocked until she unblocks them.
    await expect(
      call('chats.createDirect', { userId: stranger.userId }, alice),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    // Alice's profile changes reach her friends, not Bob, who sees her as she was.
    const bobLive = await live(bob);
    const friendLive = await live(friend);
    await call('profile.update', { displayName: 'Alice Park', statusMessage: 'new me' }, alice);
    await update(friendLive, 'profile.updated', (u) => u.user.displayName === 'Alice Park');
    const seenByBob = (await call('users.get', { userIds: [alice.userId] }, bob)).users[0];
    expect(seenByBob).toMatchObject({ displayName: 'Alice', statusMessage: '' });
    expect((await friendsOf(bob))[0]!.user.displayName).toBe('Alice');
    expect((await call('chats.get', { chatId: chat.id }, bob)).peer?.displayName).toBe('Alice');
    expect(updates(bobLive).map((u) => u.kind)).not.toContain('profile.updated');

    // Unblocked: Bob can write again and sees her as she is.
    await call('friends.unblock', { userId: bob.userId }, alice);
    expect((await send('after unblock')).message.seq).toBe(2);
    expect((await call('users.get', { userIds: [alice.userId] }, bob)).users[0]!.displayName).toBe(
      'Alice Park',
    );
    await expect(call('friends.unblock', { userId: bob.userId }, alice)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(call('friends.block', { userId: alice.userId }, alice)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
  });

  it('stores profile pictures resized and without metadata, and refuses what is not one', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    await call('friends.addById', { userId: alice.userId }, bob);
    const bobLive = await live(bob);
    const upload = (body: Buffer | string, type: string) =>
      fetch(`${s.url}/v1/profile/photo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': type },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });

    const photo = await sharp({
      create: { width: 1200, height: 800, channels: 3, background: '#f4a' },
    })
      .jpeg()
      .withExif({
        IFD0: { Artist: 'Alice' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '37/1 33/1 0/1' },
      })
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const response = await upload(photo, 'image/jpeg');
    expect(response.status).toBe(200);
    const me = (await response.json()) as Me;
    expect(me.photo).toMatch(/^p_/);
    await update(bobLive, 'profile.updated', (u) => u.user.photo === me.photo);

    for (const [size, edge] of [
      ['large', 640],
      ['small', 160],
    ] as const) {
      const served = await fetch(`${s.url}/v1/photos/${me.photo}?size=${size}`);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      const metadata = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
      expect(metadata).toMatchObject({ format: 'jpeg', width: edge, height: edge });
      expect(metadata.exif).toBeUndefined();
    }
    expect((await fetch(`${s.url}/v1/photos/p_nothinghere?size=small`)).status).toBe(404);
    expect((await fetch(`${s.url}/v1/photos/${me.photo}?size=huge`)).status).toBe(400);

    const bad = async (body: Buffer | string, type: string) => {
      const answer = await upload(body, type);
      const { error } = (await answer.json()) as { error: { code: string } };
      return { status: answer.status, code: error.code };
    };
    expect(await bad('not an image at all', 'image/png')).toEqual({
      status: 400,
      code: 'INVALID_PARAMS',
    });
    expect(await bad(photo.subarray(0, photo.length / 2), 'image/jpeg')).toMatchObject({
      code: 'INVALID_PARAMS',
    });
    expect(await bad(Buffer.alloc(LIMITS.PROFILE_PHOTO_MAX_BYTES + 1, 1), 'image/png')).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(await bad('hello', 'text/plain')).toMatchObject({ code: 'INVALID_PARAMS' });
    const unauthenticated = await fetch(`${s.url}/v1/profile/photo`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: photo,
    });
    expect(unauthenticated.status).toBe(401);
    // None of those changed the picture; removing it does.
    expect((await call('profile.get', {}, alice)).photo).toBe(me.photo);
    expect((await call('profile.removePhoto', {}, alice)).photo).toBeNull();
  });
});

describe.each(testDialects)('the contact-hash key on %s', (dialect) => {
  it('hashes every user’s number again when the key changes', async () => {
    const database = await createTestDatabase(dialect);
    const keys = ['a1'.repeat(32), 'b2'.repeat(32)];
    const start = (key: string) =>
      startServer({
        host: '127.0.0.1',
        port: 0,
        logLevel: 'silent',
        databaseUrl: database.url,
        contactHashKey: key,
      });
    try {
      let server = await start(keys[0]!);
      const user = await signInTestUser(server.url, 1);
      await server.close();
      for (const key of [keys[1]!, keys[0]!]) {
        server = await start(key);
        const row = await server.ctx.database.db
          .selectFrom('users')
          .select('phone_hash')
          .where('id', '=', user.userId)
          .executeTakeFirstOrThrow();
        await server.close();
        const expected = createHmac('sha256', Buffer.from(key, 'hex'))
          .update(user.phone)
          .digest('base64url');
        expect(row.phone_hash).toBe(expected);
      }
    } finally {
      await database.drop();
    }
  });
});
