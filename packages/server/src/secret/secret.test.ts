import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  uploadTestFile,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { TestDevice } from '@tokki/e2e/testing';
import { LIMITS, type Update } from '@tokki/protocol';
import { createLogger } from '../context.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** What a call was refused with: its code and the details the error carries. */
async function refused(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const { code, epoch, deviceIds } = error as {
      code: string;
      epoch?: number;
      deviceIds?: string[];
    };
    return { code, epoch, deviceIds };
  }
  throw new Error('The call was not refused.');
}

/** Every row of every table of the server's database, as text, to search for what must be gone. */
async function dumpEveryTable(s: TestServer): Promise<string> {
  const { db, dialect } = s.server.ctx.database;
  const tables =
    dialect === 'postgres'
      ? await sql<{ name: string }>`
          select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`
          select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
          db,
        );
  let dump = '';
  for (const { name } of tables.rows) {
    const rows = await sql`select * from ${sql.table(name)}`.execute(db);
    dump += `${name}\n${JSON.stringify(rows.rows, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v))}\n`;
  }
  return dump;
}

describe.each(testDialects)('secret chats on %s', (dialect) => {
  let s: TestServer;
  let now = Date.UTC(2026, 11, 8, 12);
  const { call, live, update, closeSockets } = testClient(() => s);

  /** A signed-in device of user number n, with its identity key published. */
  async function device(n: number): Promise<{ user: TestUser; mls: TestDevice }> {
    const user = await signInTestUser(s.url, n);
    const mls = await TestDevice.create(user.userId, user.deviceId);
    await call('secret.publishIdentity', { signatureKey: b64(mls.signatureKey) }, user);
    return { user, mls };
  }

  async function upload(d: { user: TestUser; mls: TestDevice }, count: number, lastResort = true) {
    const keyPackages = await Promise.all(
      Array.from({ length: count }, async () => b64((await d.mls.keyPackage()).bytes)),
    );
    const last = lastResort && b64((await d.mls.keyPackage({ lastResort: true })).bytes);
    return call(
      'secret.uploadKeyPackages',
      { keyPackages, ...(last && { lastResort: last }) },
      d.user,
    );
  }

  /** A secret chat created by `owner`'s device, with the devices given added by one commit. */
  async function secretChat(
    owner: { user: TestUser; mls: TestDevice },
    others: { user: TestUser; mls: TestDevice }[],
  ) {
    const groupId = randomBytes(16);
    const chat = await call('secret.create', { groupId: b64(groupId) }, owner.user);
    const initial = await owner.mls.createGroup(groupId);
    let group = initial;
    if (others.length > 0) {
      for (const other of others) {
        // Strangers share a 1:1 chat, so that they see each other's devices.
        if (other.user.userId !== owner.user.userId)
          await call('chats.createDirect', { userId: other.user.userId }, owner.user);
        await upload(other, 2);
      }
      const userIds = [...new Set(others.map((o) => o.user.userId))];
      const { keyPackages } = await call(
        'secret.claimKeyPackages',
        { userIds, exceptDeviceIds: [owner.user.deviceId] },
        owner.user,
      );
      const wanted = keyPackages.filter((k) => others.some((o) => o.user.deviceId === k.deviceId));
      const made = await group.commit({
        add: wanted.map((k) => Buffer.from(k.keyPackage, 'base64')),
      });
      await call(
        'secret.commit',
        {
          chatId: chat.id,
          epoch: 0,
          commit: b64(made.commit),
          welcome: b64(made.welcome!),
          adds: wanted.map(({ userId, deviceId }) => ({ userId, deviceId })),
          removes: [],
        },
        owner.user,
      );
      group = made.group;
    }
    return { chat, group, initial };
  }

  /** The user's updates from the start, as a device catching up reads them. */
  async function logOf(user: TestUser): Promise<Update[]> {
    const difference = await call('updates.getDifference', { pts: 0 }, user);
    if (difference.kind !== 'updates') throw new Error('The log was pruned.');
    return difference.updates.map((e) => e.update);
  }

  beforeAll(async () => {
    s = await startTestServer({ dialect, overrides: { clock: () => now } });
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('publishes identity keys and lists them only to those who may see them', async () => {
    const alice = await device(1);
    const bob = await device(2);
    const carol = await device(3);
    const dave = await device(4);
    const list = (who: TestUser, userIds: string[]) =>
      call('secret.devices', { userIds }, who).then((r) => r.devices.map((d) => d.deviceId));
    // Strangers: nothing. Sharing a chat: the devices, with their keys.
    expect(await list(carol.user, [alice.user.userId])).toEqual([]);
    await call('chats.createDirect', { userId: bob.user.userId }, alice.user);
    const { devices } = await call('secret.devices', { userIds: [alice.user.userId] }, bob.user);
    expect(devices).toEqual([
      {
        userId: alice.user.userId,
        deviceId: alice.user.deviceId,
        signatureKey: b64(alice.mls.signatureKey),
        publishedAt: now,
      },
    ]);
    expect(await list(alice.user, [alice.user.userId])).toEqual([alice.user.deviceId]);
    // Blocked either way: nothing.
    await call('chats.createDirect', { userId: dave.user.userId }, alice.user);
    expect(await list(dave.user, [alice.user.userId])).toEqual([alice.user.deviceId]);
    await call('friends.block', { userId: dave.user.userId }, alice.user);
    expect(await list(dave.user, [alice.user.userId])).toEqual([]);
    expect(await list(alice.user, [dave.user.userId])).toEqual([]);
    // A key must be 32 bytes.
    expect(
      (
        await refused(
          call('secret.publishIdentity', { signatureKey: b64(randomBytes(16)) }, carol.user),
        )
      ).code,
    ).toBe('INVALID_PARAMS');
  });

  it("takes a device's own key packages only, and hands each out once", async () => {
    const alice = await device(10);
    const bob = await device(11);
    const stranger = await TestDevice.create(bob.user.userId, bob.user.deviceId);
    await call('chats.createDirect', { userId: bob.user.userId }, alice.user);
    const bobSocket = await live(bob.user);
    // Refused: no identity yet, another device's credential, another key, garbage, another suite.
    const fresh = await signInTestUser(s.url, 12);
    const own = await TestDevice.create(fresh.userId, fresh.deviceId);
    expect(
      (
        await refused(
          call(
            'secret.uploadKeyPackages',
            { keyPackages: [b64((await own.keyPackage()).bytes)] },
            fresh,
          ),
        )
      ).code,
    ).toBe('SECRET_NO_IDENTITY');
    const bad = [
      (await alice.mls.keyPackage()).bytes,
      (await bob.mls.keyPackage({ identity: `tokki1:${alice.user.userId}:${alice.user.deviceId}` }))
        .bytes,
      (await stranger.keyPackage()).bytes,
      (await bob.mls.keyPackage({ suite: 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256' })).bytes,
      randomBytes(200),
    ];
    for (const bytes of bad) {
      const { code } = await refused(
        call('secret.uploadKeyPackages', { keyPackages: [b64(bytes)] }, bob.user),
      );
      expect(code).toBe('SECRET_KEY_PACKAGE_INVALID');
    }
    // A refused upload stores nothing, not even the good packages with it.
    const good = b64((await bob.mls.keyPackage()).bytes);
    await refused(
      call('secret.uploadKeyPackages', { keyPackages: [good, b64(bad[0]!)] }, bob.user),
    );
    expect(
      (await call('secret.claimKeyPackages', { userIds: [bob.user.userId] }, alice.user))
        .keyPackages,
    ).toEqual([]);

    expect((await upload(bob, 3)).remaining).toBe(3);
    const claims = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('secret.claimKeyPackages', { userIds: [bob.user.userId] }, alice.user),
      ),
    );
    const handed = claims.map((c) => c.keyPackages[0]!.keyPackage);
    // Three one-time packages, each once, then the last-resort one for the rest.
    expect(new Set(handed.slice(0, 5)).size).toBe(4);
    const counts = new Map<string, number>();
    for (const k of handed) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([1, 1, 1, 2]);
    const low = await update(bobSocket, 'secret.keyPackagesLow', (u) => u.remaining === 0);
    expect(low.update.deviceId).toBe(bob.user.deviceId);
    // Nothing for your own device, nor for those excepted.
    expect(
      (await call('secret.claimKeyPackages', { userIds: [bob.user.userId] }, bob.user)).keyPackages,
    ).toEqual([]);
    // A new identity key drops the packages of the old one.
    await upload(bob, 2);
    const next = await TestDevice.create(bob.user.userId, bob.user.deviceId);
    await call('secret.publishIdentity', { signatureKey: b64(next.signatureKey) }, bob.user);
    expect(
      (await call('secret.claimKeyPackages', { userIds: [bob.user.userId] }, alice.user))
        .keyPackages,
    ).toEqual([]);
  });

  it('orders commits: members join and get them, stale and bad ones change nothing', async () => {
    const alice = await device(20);
    const bob = await device(21);
    const carol = await device(22);
    const aliceSocket = await live(alice.user);
    const { chat, group, initial } = await secretChat(alice, [bob]);
    expect(chat).toMatchObject({ kind: 'secret', memberCount: 1, title: '' });
    // Bob joined with his device: the chat, the commit and its Welcome reach him, in order.
    const inChat = (await logOf(bob.user)).filter((u) => 'chatId' in u && u.chatId === chat.id);
    expect(inChat.map((u) => u.kind)).toEqual(['chat.joined', 'secret.commit']);
    expect(inChat[1]).toMatchObject({
      chatId: chat.id,
      epoch: 1,
      senderId: alice.user.userId,
      added: [{ userId: bob.user.userId, deviceId: bob.user.deviceId }],
    });
    expect(inChat[1]).toHaveProperty('welcome', expect.any(String));
    await update(aliceSocket, 'secret.commit');
    expect((await call('chats.get', { chatId: chat.id }, bob.user)).memberCount).toBe(2);
    const view = await call('secret.group', { chatId: chat.id }, bob.user);
    expect(view.epoch).toBe(1);
    expect(view.devices.map((d) => d.deviceId).sort()).toEqual(
      [alice.user.deviceId, bob.user.deviceId].sort(),
    );

    const commitAt = (epoch: number, commit: Uint8Array, extra: object = {}) => ({
      chatId: chat.id,
      epoch,
      commit: b64(commit),
      adds: [],
      removes: [],
      ...extra,
    });
    const { commit: update1 } = await group.commit();
    // Stale: a commit for epoch 0 when the group is at 1, with the current epoch in the error.
    const staleGroup = await initial.commit();
    expect(
      await refused(call('secret.commit', commitAt(0, staleGroup.commit), alice.user)),
    ).toMatchObject({ code: 'SECRET_EPOCH_STALE', epoch: 1 });
    // Wrong group id (a commit of another group at epoch 1).
    const other = await (await alice.mls.createGroup(randomBytes(16))).commit();
    const otherAt1 = await other.group.commit();
    const bad: [unknown, string][] = [
      [commitAt(1, otherAt1.commit), 'SECRET_MESSAGE_INVALID'],
      // The epoch given is not the commit's.
      [commitAt(2, update1), 'SECRET_MESSAGE_INVALID'],
      [commitAt(1, randomBytes(300)), 'SECRET_MESSAGE_INVALID'],
      [commitAt(1, update1.slice(0, update1.length - 3)), 'SECRET_MESSAGE_INVALID'],
      // An application message is not a commit.
      [commitAt(1, (await group.encrypt('hi')).data), 'SECRET_MESSAGE_INVALID'],
      // Adding without a Welcome, a device never claimed, removing a device that is no leaf.
      [
        commitAt(1, update1, {
          adds: [{ userId: carol.user.userId, deviceId: carol.user.deviceId }],
        }),
        'SECRET_MESSAGE_INVALID',
      ],
      [
        commitAt(1, update1, {
          adds: [{ userId: carol.user.userId, deviceId: carol.user.deviceId }],
          welcome: b64(otherAt1.commit),
        }),
        'SECRET_MESSAGE_INVALID',
      ],
      [
        commitAt(1, update1, {
          removes: [{ userId: carol.user.userId, deviceId: carol.user.deviceId }],
        }),
        'NOT_FOUND',
      ],
      [
        commitAt(1, update1, {
          removes: [{ userId: alice.user.userId, deviceId: alice.user.deviceId }],
        }),
        'INVALID_PARAMS',
      ],
      // Over the size limit: refused by the schema before anything is read.
      [commitAt(1, randomBytes(LIMITS.SECRET_HANDSHAKE_BYTES_MAX + 3)), 'INVALID_PARAMS'],
    ];
    for (const [params, code] of bad)
      expect((await refused(call('secret.commit', params, alice.user))).code).toBe(code);
    // Carol is no member: her commit is refused.
    expect((await refused(call('secret.commit', commitAt(1, update1), carol.user))).code).toBe(
      'NOT_MEMBER',
    );
    // Adding a device claimed by someone else: Carol's package claimed by Bob, committed by Alice.
    await upload(carol, 1);
    await call('chats.createDirect', { userId: carol.user.userId }, bob.user);
    const [carolsPackage] = (
      await call('secret.claimKeyPackages', { userIds: [carol.user.userId] }, bob.user)
    ).keyPackages;
    const addCarol = await group.commit({
      add: [Buffer.from(carolsPackage!.keyPackage, 'base64')],
    });
    expect(
      (
        await refused(
          call(
            'secret.commit',
            commitAt(1, addCarol.commit, {
              welcome: b64(addCarol.welcome!),
              adds: [{ userId: carol.user.userId, deviceId: carol.user.deviceId }],
            }),
            alice.user,
          ),
        )
      ).code,
    ).toBe('FORBIDDEN');
    // None of it changed the group.
    expect(await call('secret.group', { chatId: chat.id }, alice.user)).toEqual(view);
    // The good one moves it on.
    expect(await call('secret.commit', commitAt(1, update1), alice.user)).toEqual({ epoch: 2 });
    expect((await call('secret.group', { chatId: chat.id }, alice.user)).epoch).toBe(2);
  });

  it('sends ciphertexts that count as unread, and purges them once every device has them', async () => {
    const alice = await device(30);
    const bob = await device(31);
    const bobLaptop = {
      user: await signInTestUser(s.url, 31),
      mls: undefined as unknown as TestDevice,
    };
    bobLaptop.mls = await TestDevice.create(bob.user.userId, bobLaptop.user.deviceId);
    await call(
      'secret.publishIdentity',
      { signatureKey: b64(bobLaptop.mls.signatureKey) },
      bobLaptop.user,
    );
    const made = await secretChat(alice, [bob, bobLaptop]);
    const { chat, initial } = made;
    let { group } = made;
    const bobSocket = await live(bob.user);
    const sent: string[] = [];
    for (const text of ['하나', '둘']) {
      const encrypted = await group.encrypt(text);
      group = encrypted.group;
      sent.push(b64(encrypted.data));
      const { seq, expiresAt } = await call(
        'secret.send',
        { chatId: chat.id, epoch: 1, data: b64(encrypted.data) },
        alice.user,
      );
      expect(expiresAt).toBe(now + 7 * 24 * 3600 * 1000);
      const got = await update(bobSocket, 'secret.message', (u) => u.seq === seq);
      expect(got.update).toMatchObject({
        senderId: alice.user.userId,
        deviceId: alice.user.deviceId,
        epoch: 1,
        data: b64(encrypted.data),
      });
    }
    expect((await call('chats.get', { chatId: chat.id }, bob.user)).unreadCount).toBe(2);
    expect((await call('messages.markRead', { chatId: chat.id, seq: 1 }, bob.user)).readSeq).toBe(
      1,
    );
    expect((await call('chats.get', { chatId: chat.id }, bob.user)).unreadCount).toBe(1);

    // Refused sends: stale epoch, another group, a commit, garbage, oversize, a non-member.
    const sendAt = (epoch: number, data: Uint8Array) => ({
      chatId: chat.id,
      epoch,
      data: b64(data),
    });
    const next = await group.encrypt('셋');
    const otherGroup = await (await alice.mls.createGroup(randomBytes(16))).commit();
    const elsewhere = await otherGroup.group.encrypt('x');
    expect(
      await refused(call('secret.send', sendAt(0, (await initial.encrypt('x')).data), alice.user)),
    ).toMatchObject({ code: 'SECRET_EPOCH_STALE', epoch: 1 });
    expect((await refused(call('secret.send', sendAt(1, elsewhere.data), alice.user))).code).toBe(
      'SECRET_MESSAGE_INVALID',
    );
    expect(
      (await refused(call('secret.send', sendAt(1, (await group.commit()).commit), alice.user)))
        .code,
    ).toBe('SECRET_MESSAGE_INVALID');
    expect((await refused(call('secret.send', sendAt(1, randomBytes(100)), alice.user))).code).toBe(
      'SECRET_MESSAGE_INVALID',
    );
    expect(
      (
        await refused(
          call(
            'secret.send',
            sendAt(1, randomBytes(LIMITS.SECRET_MESSAGE_BYTES_MAX + 1)),
            alice.user,
          ),
        )
      ).code,
    ).toMatch(/INVALID_PARAMS|PAYLOAD_TOO_LARGE/);
    const carol = await device(32);
    expect((await refused(call('secret.send', sendAt(1, next.data), carol.user))).code).toBe(
      'NOT_MEMBER',
    );
    expect((await call('chats.get', { chatId: chat.id }, alice.user)).lastSeq).toBe(2);

    // Acknowledged by three devices of four: kept. By every one: gone, from the log too.
    for (const who of [alice.user, bob.user])
      await call('secret.ack', { chatId: chat.id, seq: 2 }, who);
    const log = async () => {
      return (await logOf(bob.user)).filter(
        (u): u is Extract<Update, { kind: 'secret.message' }> => u.kind === 'secret.message',
      );
    };
    expect((await log()).map((u) => u.data)).toEqual(sent);
    await call('secret.ack', { chatId: chat.id, seq: 1 }, bobLaptop.user);
    expect((await log()).map((u) => u.data)).toEqual([null, sent[1]]);
    // An ack never moves back; one past the end counts to the end.
    await call('secret.ack', { chatId: chat.id, seq: 99 }, bobLaptop.user);
    expect((await log()).map((u) => u.data)).toEqual([null, null]);
    const dump = await dumpEveryTable(s);
    for (const data of sent) expect(dump).not.toContain(data);
  });

  it('purges at the TTL on the clock, whoever has not acknowledged', async () => {
    const alice = await device(40);
    const bob = await device(41);
    const { chat, group } = await secretChat(alice, [bob]);
    const encrypted = await group.encrypt('사라질 말');
    const data = b64(encrypted.data);
    const { expiresAt } = await call(
      'secret.send',
      { chatId: chat.id, epoch: 1, data },
      alice.user,
    );
    // A device reading its catch-up from memory (recent updates) gets it, until it goes.
    expect(JSON.stringify(await logOf(bob.user))).toContain(data);
    now = expiresAt - 1;
    await s.server.ctx.secret.purgeExpired();
    expect(JSON.stringify(await logOf(bob.user))).toContain(data);
    now = expiresAt;
    expect(await s.server.ctx.secret.purgeExpired()).toBeGreaterThanOrEqual(1);
    const updates = await logOf(bob.user);
    const message = updates.find((u) => u.kind === 'secret.message' && u.chatId === chat.id);
    expect(message).toMatchObject({ data: null, seq: 1, expiresAt });
    expect(JSON.stringify(updates)).not.toContain(data);
    expect(await dumpEveryTable(s)).not.toContain(data);
  });

  it('takes revoked devices out: sends wait for their removal, the last device takes its user out', async () => {
    const alice = await device(50);
    const bob = await device(51);
    const made = await secretChat(alice, [bob]);
    const { chat } = made;
    let { group } = made;
    const aliceSocket = await live(alice.user);
    await call('devices.revoke', { deviceId: bob.user.deviceId }, bob.user);
    const revoked = await update(aliceSocket, 'secret.deviceRevoked', (u) => u.chatId === chat.id);
    expect(revoked.update).toMatchObject({ userId: bob.user.userId, deviceId: bob.user.deviceId });
    expect((await call('secret.group', { chatId: chat.id }, alice.user)).devices).toContainEqual({
      userId: bob.user.userId,
      deviceId: bob.user.deviceId,
      revoked: true,
    });
    const encrypted = await group.encrypt('아직');
    expect(
      await refused(
        call('secret.send', { chatId: chat.id, epoch: 1, data: b64(encrypted.data) }, alice.user),
      ),
    ).toMatchObject({ code: 'SECRET_REMOVAL_PENDING', deviceIds: [bob.user.deviceId] });
    // Its key is gone from the directory.
    expect(
      (await call('secret.devices', { userIds: [bob.user.userId] }, alice.user)).devices,
    ).toEqual([]);
    const removal = await group.commit({
      removeLeaves: [group.leafOf(`tokki1:${bob.user.userId}:${bob.user.deviceId}`)],
    });
    group = removal.group;
    await call(
      'secret.commit',
      {
        chatId: chat.id,
        epoch: 1,
        commit: b64(removal.commit),
        adds: [],
        removes: [{ userId: bob.user.userId, deviceId: bob.user.deviceId }],
      },
      alice.user,
    );
    await update(
      aliceSocket,
      'chat.left',
      (u) => u.chatId === chat.id && u.userId === bob.user.userId,
    );
    expect((await call('chats.get', { chatId: chat.id }, alice.user)).memberCount).toBe(1);
    const after = await group.encrypt('이제');
    expect(
      (await call('secret.send', { chatId: chat.id, epoch: 2, data: b64(after.data) }, alice.user))
        .seq,
    ).toBe(1);
  });

  it('tells the chats of a user when they have a new device, or a new key', async () => {
    const alice = await device(60);
    const bob = await device(61);
    const { chat, group } = await secretChat(alice, [bob]);
    const aliceSocket = await live(alice.user);
    const phone = await signInTestUser(s.url, 61);
    const mls = await TestDevice.create(bob.user.userId, phone.deviceId);
    const { pts } = await call('updates.getState', {}, alice.user);
    await call('secret.publishIdentity', { signatureKey: b64(mls.signatureKey) }, phone);
    // Not yet: with no key package, a member would find nothing to claim for it.
    const before = await call('updates.getDifference', { pts }, alice.user);
    expect(JSON.stringify(before)).not.toContain('secret.deviceAdded');
    await call(
      'secret.uploadKeyPackages',
      { keyPackages: [b64((await mls.keyPackage()).bytes)] },
      phone,
    );
    const added = await update(aliceSocket, 'secret.deviceAdded', (u) => u.chatId === chat.id);
    expect(added.update).toMatchObject({ userId: bob.user.userId, deviceId: phone.deviceId });
    const claimed = await call(
      'secret.claimKeyPackages',
      { userIds: [bob.user.userId] },
      alice.user,
    );
    expect(claimed.keyPackages.map((k) => k.deviceId)).toContain(phone.deviceId);

    // Bob's first device lost its state and key: it is told as new, and one commit removes its
    // old leaf and adds it back under the new key; Bob stays in the chat.
    const wiped = await TestDevice.create(bob.user.userId, bob.user.deviceId);
    await call('secret.publishIdentity', { signatureKey: b64(wiped.signatureKey) }, bob.user);
    await upload({ user: bob.user, mls: wiped }, 1);
    await update(
      aliceSocket,
      'secret.deviceAdded',
      (u) => u.chatId === chat.id && u.deviceId === bob.user.deviceId,
    );
    const { keyPackages } = await call(
      'secret.claimKeyPackages',
      { userIds: [bob.user.userId], exceptDeviceIds: [phone.deviceId] },
      alice.user,
    );
    expect(keyPackages.map((k) => k.deviceId)).toEqual([bob.user.deviceId]);
    const old = group.leafOf(`tokki1:${bob.user.userId}:${bob.user.deviceId}`);
    const readded = await group.commit({
      removeLeaves: [old],
      add: [Buffer.from(keyPackages[0]!.keyPackage, 'base64')],
    });
    const bobDevice = { userId: bob.user.userId, deviceId: bob.user.deviceId };
    await call(
      'secret.commit',
      {
        chatId: chat.id,
        epoch: 1,
        commit: b64(readded.commit),
        welcome: b64(readded.welcome!),
        adds: [bobDevice],
        removes: [bobDevice],
      },
      alice.user,
    );
    const view = await call('secret.group', { chatId: chat.id }, alice.user);
    expect(view).toMatchObject({ epoch: 2 });
    expect(view.devices).toContainEqual({ ...bobDevice, revoked: false });
    expect((await call('chats.get', { chatId: chat.id }, alice.user)).memberCount).toBe(2);
  });

  it('refuses what only plain chats take, and lets a member leave', async () => {
    const alice = await device(70);
    const bob = await device(71);
    const carol = await device(72);
    const { chat } = await secretChat(alice, [bob]);
    const plain = await call('chats.createDirect', { userId: bob.user.userId }, alice.user);
    const { message } = await call(
      'messages.send',
      { chatId: plain.id, clientMsgId: 'm1', text: 'hi' },
      alice.user,
    );
    const refusedIn = [
      () =>
        call('messages.send', { chatId: chat.id, clientMsgId: 'm2', text: 'plain' }, alice.user),
      () =>
        call(
          'messages.forward',
          { chatId: plain.id, seq: message.seq, toChatIds: [chat.id], clientMsgId: 'f1' },
          alice.user,
        ),
      () => call('messages.history', { chatId: chat.id }, alice.user),
      () => call('messages.get', { chatId: chat.id, seqs: [1] }, alice.user),
      () => call('messages.search', { chatId: chat.id, query: 'x' }, alice.user),
      () => call('messages.react', { chatId: chat.id, seq: 1, reaction: 'like' }, alice.user),
      () => call('messages.edit', { chatId: chat.id, seq: 1, text: 'x' }, alice.user),
      () => call('messages.delete', { chatId: chat.id, seq: 1, forEveryone: true }, alice.user),
      () => call('chats.pin', { chatId: chat.id, seq: null }, alice.user),
      () => call('chats.addMembers', { chatId: chat.id, userIds: [carol.user.userId] }, alice.user),
      () => call('chats.removeMember', { chatId: chat.id, userId: bob.user.userId }, alice.user),
      () =>
        call(
          'chats.setRole',
          { chatId: chat.id, userId: bob.user.userId, role: 'admin' },
          alice.user,
        ),
      () => call('chats.createInvite', { chatId: chat.id }, alice.user),
    ];
    for (const attempt of refusedIn) expect((await refused(attempt())).code).toBe('SECRET_CHAT');
    // A file would be stored in the clear: no upload into a secret chat.
    await expect(
      uploadTestFile(s.url, alice.user.token, Buffer.from('plain bytes'), {
        chatId: chat.id,
        filename: 'a.txt',
        filetype: 'text/plain',
      }),
    ).rejects.toThrow(/upload refused: 400/);
    // Nothing of it reached the chat.
    expect((await call('chats.get', { chatId: chat.id }, bob.user)).lastSeq).toBe(0);
    // Leaving: Bob's devices wait for a member to remove them.
    await call('chats.leave', { chatId: chat.id }, bob.user);
    expect((await call('secret.group', { chatId: chat.id }, alice.user)).devices).toContainEqual({
      userId: bob.user.userId,
      deviceId: bob.user.deviceId,
      revoked: true,
    });
  });

  it('lets one of two commits for the same epoch win', async () => {
    const alice = await device(80);
    const bob = await device(81);
    const { chat, group } = await secretChat(alice, [bob]);
    const bobGroupCommit = await group.commit();
    const aliceCommit = await group.commit();
    const attempts = await Promise.allSettled(
      [
        [alice.user, aliceCommit.commit],
        [bob.user, bobGroupCommit.commit],
      ].map(([user, commit]) =>
        call(
          'secret.commit',
          { chatId: chat.id, epoch: 1, commit: b64(commit as Uint8Array), adds: [], removes: [] },
          user as TestUser,
        ),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const loser = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: 'SECRET_EPOCH_STALE', epoch: 2 });
    expect((await call('secret.group', { chatId: chat.id }, alice.user)).epoch).toBe(2);
    // Over the WebSocket, the refusal carries the current epoch too.
    const socket = await live(bob.user);
    const again = await socket.request('secret.commit', {
      chatId: chat.id,
      epoch: 1,
      commit: b64(bobGroupCommit.commit),
      adds: [],
      removes: [],
    });
    expect(again.error).toMatchObject({ code: 'SECRET_EPOCH_STALE', epoch: 2 });
  });
});

describe('secret messages and plain ones', () => {
  let s: TestServer;
  const { call } = testClient(() => s);
  /** Every line the server logs, at the most detailed level. */
  const lines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    s = await startTestServer({
      config: { rateLimits: { messagesPerUser: { max: 2, windowSeconds: 60 } } },
      overrides: { logger: createLogger('trace', destination) },
    });
  });
  afterAll(() => s?.close());

  it('count against one limit per user', async () => {
    const alice = await signInTestUser(s.url, 1);
    const bob = await signInTestUser(s.url, 2);
    const mls = await TestDevice.create(alice.userId, alice.deviceId);
    await call('secret.publishIdentity', { signatureKey: b64(mls.signatureKey) }, alice);
    const groupId = randomBytes(16);
    const chat = await call('secret.create', { groupId: b64(groupId) }, alice);
    const group = await mls.createGroup(groupId);
    const sent: string[] = [];
    const send = async () => {
      const data = b64((await group.encrypt('x')).data);
      sent.push(data);
      return call('secret.send', { chatId: chat.id, epoch: 0, data }, alice);
    };
    await send();
    await send();
    expect((await refused(send())).code).toBe('RATE_LIMITED');
    // No ciphertext reaches the log, sent or refused.
    expect(lines.length).toBeGreaterThan(0);
    for (const data of sent) expect(lines.join('')).not.toContain(data.slice(0, 40));
    const plain = await call('chats.createDirect', { userId: bob.userId }, alice);
    const text = call('messages.send', { chatId: plain.id, clientMsgId: 'm', text: 'hi' }, alice);
    expect((await refused(text)).code).toBe('RATE_LIMITED');
  });
});
