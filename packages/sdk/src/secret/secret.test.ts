// Secret chats end to end (issue 16, Acceptance 2–5): SDK clients with real MLS (@tokki/e2e)
// against a real server on SQLite and PostgreSQL, and across two nodes. Each device is its own
// TokkiClient and SecretClient, as on separate phones.
import {
  dumpServer,
  findTexts,
  shouldTestNats,
  shouldTestPostgres,
  signInTestUser,
  startNats,
  startTestServer,
  testDialects,
  type RunningNats,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import {
  deserializeIdentity,
  MemoryTrustStore,
  SecretAuthentication,
  SecretGroup,
} from '@tokki/e2e';
import type { Update } from '@tokki/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokkiClient } from '../index.js';
import { fromBase64, toBase64 } from './bytes.js';
import { ManualClock } from './clock.js';
import { SecretClient } from './client.js';
import type { SecretEvents } from './events.js';
import type { SecretError } from './errors.js';
import { decodeState } from './state.js';
import { MemoryStateStore } from './store.js';

const fastBackoff = { baseMs: 20, capMs: 200 };
/** Conditions over the network on a busy machine: room, not speed. */
const until = (check: () => void | Promise<void>) =>
  vi.waitFor(check, { timeout: 20_000, interval: 25 });

/** One device: its client, its secret chats, what it saw. */
interface Device {
  user: TestUser;
  client: TokkiClient;
  /** Replaced when a test reopens the device from its store. */
  secret: SecretClient;
  store: MemoryStateStore;
  clock: ManualClock;
  errors: SecretError[];
  /** Every secret update delivered live to this device, ciphertexts included. */
  delivered: Update[];
}

/** Makes each of `users` a friend of `by`: whose devices one may see (secret.devices) follows it. */
async function befriend(by: Device, ...users: Device[]): Promise<void> {
  for (const user of users) await by.client.call('friends.add', { phone: user.user.phone });
}

/** A set of devices on one or more test servers, closed after the suite. */
function devices() {
  const all: Device[] = [];
  let next = 1;
  return {
    /**
     * Signs test number n in (again: a new device of the same user) and opens its secret client.
     * `offline`: not connected nor following (calls over HTTP, updates only on `sync()`), and
     * its answers to `secret.send` lost while `dropSendAnswers` says so (the request itself
     * reaches the server).
     */
    async open(
      url: string,
      n: number,
      name = `User ${n}`,
      options: { offline?: { dropSendAnswers: boolean } } = {},
    ): Promise<Device> {
      const user = await signInTestUser(url, n, { displayName: name, deviceName: `d${next++}` });
      const { offline } = options;
      const lossy: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (offline?.dropSendAnswers && String(input).endsWith('/secret.send')) {
          throw new TypeError('fetch failed (the answer was lost)');
        }
        return response;
      };
      const client = new TokkiClient({
        server: url,
        token: user.token,
        backoff: fastBackoff,
        ...(offline && { fetch: lossy }),
      });
      const store = new MemoryStateStore();
      const clock = new ManualClock(Date.now());
      const secret = await SecretClient.open({
        client,
        userId: user.userId,
        deviceId: user.deviceId,
        store,
        clock,
        keyPackageTarget: 5,
      });
      const device: Device = { user, client, secret, store, clock, errors: [], delivered: [] };
      secret.on('error', (error) => device.errors.push(error));
      client.on('update', ({ update }) => {
        if (update.kind.startsWith('secret.')) device.delivered.push(update);
      });
      if (!offline) {
        secret.follow();
        await client.connect();
      }
      all.push(device);
      return device;
    },
    async closeAll() {
      for (const device of all) {
        await device.secret.close();
        device.client.disconnect();
      }
    },
  };
}

const texts = (device: Device, chatId: string) =>
  device.secret.history(chatId).flatMap((m) => (m.content.type === 'text' ? [m.content.text] : []));

/** Waits until every device holds the chat at the same epoch, and returns that epoch. */
async function sameEpoch(chatId: string, members: Device[]): Promise<number> {
  await until(() => {
    const epochs = members.map((d) => d.secret.chats().find((c) => c.chatId === chatId)?.epoch);
    expect(new Set(epochs).size).toBe(1);
    expect(epochs[0]).toBeTypeOf('number');
  });
  const [first, ...rest] = members.map((d) => d.secret.epoch(chatId));
  for (const other of rest) {
    expect(toBase64(other.authenticator)).toBe(toBase64(first!.authenticator));
  }
  return first!.epoch;
}

/**
 * What a thief holding a device's state from before its removal gets: the group as it was, fed
 * every later commit of the log and then the ciphertext. Resolves with the plaintext if it opens.
 */
async function readWithStolenState(
  directoryClient: TokkiClient,
  stateBytes: Uint8Array,
  chatId: string,
  commits: Update[],
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  const state = decodeState(stateBytes)!;
  const identity = await deserializeIdentity(fromBase64(state.identity));
  // The server's real directory: authentication is not what keeps the thief out.
  const auth = new SecretAuthentication({
    directory: {
      deviceKey: async (userId, deviceId) => {
        const { devices } = await directoryClient.call('secret.devices', { userIds: [userId] });
        const device = devices.find((d) => d.deviceId === deviceId);
        return device && fromBase64(device.signatureKey);
      },
    },
    trust: new MemoryTrustStore(),
  });
  let group = SecretGroup.deserialize(fromBase64(state.chats[chatId]!.group!), identity, auth);
  for (const commit of commits) {
    if (commit.kind !== 'secret.commit' || commit.epoch <= group.epoch) continue;
    const result = await group.process(fromBase64(commit.data));
    group = result.group;
  }
  const result = await group.process(ciphertext);
  if (result.kind !== 'application') throw new Error('not an application message');
  return result.plaintext;
}

describe.each(testDialects)('secret chats through a real server on %s', (dialect) => {
  let s: TestServer;
  const pool = devices();
  let alice: Device, bob: Device, bobTablet: Device;
  let chatId: string;
  // Numbers of this suite's users, apart from the other dialect's run.
  const base = dialect === 'sqlite' ? 100 : 200;

  /** The server's clock runs this far ahead of real time: the TTL test moves it a week on. */
  let serverSkew = 0;

  beforeAll(async () => {
    s = await startTestServer({ dialect, overrides: { clock: () => Date.now() + serverSkew } });
    alice = await pool.open(s.url, base + 1, 'Alice');
    bob = await pool.open(s.url, base + 2, 'Bob');
    bobTablet = await pool.open(s.url, base + 2, 'Bob');
    await befriend(alice, bob);
  });
  afterAll(async () => {
    await pool.closeAll();
    await s?.close();
  });

  it('two users and a second device exchange messages both ways, and the server holds no plaintext', async () => {
    chatId = await alice.secret.createChat([bob.user.userId]);
    const everyone = [alice, bob, bobTablet];
    // Bob's two devices joined from the Welcome; all three are in step.
    await sameEpoch(chatId, everyone);
    expect(alice.secret.members(chatId)).toHaveLength(3);

    const plaintexts = [
      `안녕 밥, 비밀이야 ${Math.random()}`,
      `Hi Alice, from my phone ${Math.random()}`,
      `and from my tablet ${Math.random()}`,
    ];
    await alice.secret.send(chatId, plaintexts[0]!);
    await until(() => {
      expect(texts(bob, chatId)).toContain(plaintexts[0]);
      expect(texts(bobTablet, chatId)).toContain(plaintexts[0]);
    });
    await bob.secret.send(chatId, plaintexts[1]!);
    await bobTablet.secret.send(chatId, plaintexts[2]!);
    for (const device of everyone) {
      await until(() => expect(texts(device, chatId)).toEqual(plaintexts));
    }
    // Sender and device as MLS authenticated them.
    expect(alice.secret.history(chatId)[2]).toMatchObject({
      senderId: bob.user.userId,
      deviceId: bobTablet.user.deviceId,
    });

    // A plain chat's text is found by the same dump: it can tell.
    const control = `plain control ${Math.random()}`;
    const plain = await alice.client.call('chats.createDirect', { userId: bob.user.userId });
    await alice.client.sendMessage(plain.id, control);

    const dump = await dumpServer(s);
    expect(findTexts(dump, [control]).length).toBeGreaterThan(0);
    expect(findTexts(dump, plaintexts)).toEqual([]);
    for (const device of [alice, bob]) {
      const difference = await device.client.call('updates.getDifference', { pts: 0 });
      const json = JSON.stringify(difference);
      for (const text of plaintexts) {
        expect(json).not.toContain(text);
        expect(json).not.toContain(Buffer.from(text).toString('base64'));
      }
      for (const text of plaintexts) {
        const word = text.split(' ')[0]!;
        const { messages } = await device.client.call('messages.search', { query: word });
        expect(messages.filter((m) => m.chatId === chatId)).toEqual([]);
      }
    }
    expect(everyone.flatMap((d) => d.errors)).toEqual([]);
  });

  it('a removed member and a revoked device read nothing sent after', async () => {
    const carol = await pool.open(s.url, base + 3, 'Carol');
    await befriend(alice, carol);
    await alice.secret.addMembers(chatId, [carol.user.userId]);
    await sameEpoch(chatId, [alice, bob, bobTablet, carol]);
    const before = `before Carol leaves ${Math.random()}`;
    await alice.secret.send(chatId, before);
    await until(() => expect(texts(carol, chatId)).toContain(before));

    // Their group state as it was, kept by a thief who copied it before the removal.
    const carolState = await carol.store.load();
    const tabletState = await bobTablet.store.load();

    await alice.secret.removeMember(chatId, carol.user.userId);
    await until(() =>
      expect(carol.secret.chats()).toContainEqual(
        expect.objectContaining({ chatId, closed: true }),
      ),
    );
    await expect(carol.secret.send(chatId, 'still here?')).rejects.toMatchObject({
      code: 'CHAT_CLOSED',
    });

    await bob.client.call('devices.revoke', { deviceId: bobTablet.user.deviceId });
    // A member commits the tablet's removal (the server refuses sends until then).
    await until(() =>
      expect(alice.secret.members(chatId).map((m) => m.deviceId)).not.toContain(
        bobTablet.user.deviceId,
      ),
    );
    const after = `after the removals ${Math.random()}`;
    await alice.secret.send(chatId, after);
    await until(() => expect(texts(bob, chatId)).toContain(after));
    const ciphertext = bob.delivered.findLast(
      (u): u is Extract<Update, { kind: 'secret.message' }> =>
        u.kind === 'secret.message' && u.data !== null && u.chatId === chatId,
    );
    expect(ciphertext).toBeDefined();
    expect(texts(carol, chatId)).not.toContain(after);
    expect(texts(bobTablet, chatId)).not.toContain(after);

    // Even with the stolen states and every commit since, the ciphertext does not open.
    const commits = alice.delivered.filter(
      (u) => u.kind === 'secret.commit' && u.chatId === chatId,
    );
    for (const stolen of [carolState, tabletState]) {
      await expect(
        readWithStolenState(alice.client, stolen!, chatId, commits, fromBase64(ciphertext!.data!)),
      ).rejects.toMatchObject({ name: 'E2eError' });
    }
  });

  it('refuses bad requests with a typed error and changes nothing', async () => {
    const stranger = await pool.open(s.url, base + 4, 'Stranger');
    const chatsBefore = (await alice.client.call('chats.list', {})).chats.length;
    // Not a friend, no chat in common: the directory does not show their devices to Alice.
    await expect(alice.secret.createChat([stranger.user.userId])).rejects.toMatchObject({
      name: 'SecretError',
      code: 'NO_DEVICES',
    });
    expect((await alice.client.call('chats.list', {})).chats.length).toBe(chatsBefore);
    await expect(alice.secret.send('c_nosuchchat', 'hi')).rejects.toMatchObject({
      code: 'NO_SUCH_CHAT',
    });
    const { epoch } = alice.secret.epoch(chatId);
    await expect(alice.secret.removeMember(chatId, stranger.user.userId)).rejects.toMatchObject({
      code: 'NOT_IN_CHAT',
    });
    await expect(alice.secret.verification(chatId, stranger.user.userId)).rejects.toMatchObject({
      code: 'NOT_IN_CHAT',
    });
    expect(alice.secret.epoch(chatId).epoch).toBe(epoch);

    // A state that is not this device's, or not a state at all, is refused before any use.
    const opened = { client: stranger.client, ...stranger.user };
    await expect(
      SecretClient.open({ ...opened, userId: stranger.user.userId, store: alice.store }),
    ).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
    const damaged = new MemoryStateStore();
    await damaged.save(new TextEncoder().encode('{"version": 7}'));
    await expect(SecretClient.open({ ...opened, store: damaged })).rejects.toMatchObject({
      code: 'STATE_MISMATCH',
    });
    expect(stranger.errors).toEqual([]);
  });

  it('refreshes its keys in each chat once the update interval has passed', async () => {
    const store = new MemoryStateStore();
    const clock = new ManualClock(Date.now());
    const options = {
      client: bob.client,
      userId: bob.user.userId,
      deviceId: bob.user.deviceId,
      store,
      clock,
    };
    // Bob's phone's state, handed to a client with a one-hour key update interval.
    await store.save((await bob.store.load())!);
    await bob.secret.close();
    const before = alice.secret.epoch(chatId).epoch;
    const hourly = await SecretClient.open({ ...options, keyUpdateIntervalMs: 3_600_000 });
    hourly.follow();
    clock.advance(3_599_000);
    expect(hourly.epoch(chatId).epoch).toBe(before);
    // Due: it wakes up on its own, with nothing else happening in the chat.
    clock.advance(1_000);
    await until(() => expect(hourly.epoch(chatId).epoch).toBe(before + 1));
    await until(() => expect(alice.secret.epoch(chatId).epoch).toBe(before + 1));
    expect(toBase64(alice.secret.epoch(chatId).authenticator)).toBe(
      toBase64(hourly.epoch(chatId).authenticator),
    );
    await hourly.close();
    // Bob's phone goes on from the state the hourly client left.
    bob.secret = await SecretClient.open(options);
    bob.clock = clock;
    bob.secret.on('error', (error) => bob.errors.push(error));
    bob.secret.follow();
  });

  it('a contact whose device lost its state comes back with a new key: a warning, no longer verified', async () => {
    const minho = await pool.open(s.url, base + 5, 'Minho');
    await befriend(alice, minho);
    const chat = await alice.secret.createChat([minho.user.userId]);
    await sameEpoch(chat, [alice, minho]);
    const before = await alice.secret.verification(chat, minho.user.userId);
    await alice.secret.markVerified(chat, minho.user.userId);
    expect((await alice.secret.verification(chat, minho.user.userId)).verified).toBe(true);
    const changes: SecretEvents['keyChange'][] = [];
    alice.secret.on('keyChange', (change) => changes.push(change));

    // Minho's phone loses its storage: the same device, signed in, with a new identity key.
    await minho.secret.close();
    minho.store = new MemoryStateStore();
    minho.secret = await SecretClient.open({
      client: minho.client,
      userId: minho.user.userId,
      deviceId: minho.user.deviceId,
      store: minho.store,
      clock: minho.clock,
      keyPackageTarget: 5,
    });
    minho.secret.on('error', (error) => minho.errors.push(error));
    minho.secret.follow();

    // Alice's client re-adds it under its new key, and warns.
    await until(() =>
      expect(changes).toEqual([
        { userId: minho.user.userId, deviceId: minho.user.deviceId, wasVerified: true },
      ]),
    );
    await sameEpoch(chat, [alice, minho]);
    const after = await alice.secret.verification(chat, minho.user.userId);
    expect(after.verified).toBe(false);
    expect(after.safetyNumber).not.toBe(before.safetyNumber);
    expect((await minho.secret.verification(chat, alice.user.userId)).safetyNumber).toBe(
      after.safetyNumber,
    );
    const text = `welcome back ${Math.random()}`;
    await alice.secret.send(chat, text);
    await until(() => expect(texts(minho, chat)).toEqual([text]));
    expect([...alice.errors, ...minho.errors]).toEqual([]);
  });

  it('a send refused for a revoked device commits its removal first; an answer lost is recovered', async () => {
    const network = { dropSendAnswers: false };
    const eun = await pool.open(s.url, base + 6, 'Eun', { offline: network });
    const jin = await pool.open(s.url, base + 7, 'Jin', { offline: network });
    const jinTablet = await pool.open(s.url, base + 7, 'Jin', { offline: network });
    await befriend(eun, jin);
    const chat = await eun.secret.createChat([jin.user.userId]);
    await jin.secret.sync();
    await jinTablet.secret.sync();
    await sameEpoch(chat, [eun, jin, jinTablet]);

    // Nobody follows the log live: Eun learns of the revocation from the server's refusal.
    await jin.client.call('devices.revoke', { deviceId: jinTablet.user.deviceId });
    const first = `after the tablet was revoked ${Math.random()}`;
    await eun.secret.send(chat, first);
    expect(eun.secret.members(chat).map((m) => m.deviceId)).not.toContain(jinTablet.user.deviceId);
    await jin.secret.sync();
    expect(texts(jin, chat)).toEqual([first]);

    // The server stores the next one but its answer never arrives: the send fails, and the
    // message comes out of the outbox, with its seq, when Eun reads the log.
    network.dropSendAnswers = true;
    const second = `answer lost ${Math.random()}`;
    await expect(eun.secret.send(chat, second)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    network.dropSendAnswers = false;
    expect(texts(eun, chat)).toEqual([first]);
    await eun.secret.sync();
    expect(texts(eun, chat)).toEqual([first, second]);
    await jin.secret.sync();
    expect(texts(jin, chat)).toEqual([first, second]);
    const seqs = (d: Device) => d.secret.history(chat).map((m) => m.seq);
    expect(seqs(eun)).toEqual(seqs(jin));
    expect([...eun.errors, ...jin.errors]).toEqual([]);
  });

  it('keeps its key packages topped up when they run low', async () => {
    const junho = await pool.open(s.url, base + 8, 'Junho');
    await befriend(alice, junho);
    const remaining = async () =>
      (await junho.client.call('secret.uploadKeyPackages', { keyPackages: [] })).remaining;
    expect(await remaining()).toBe(5);
    // Others claim three: the server says "low", and the device uploads as many again.
    for (let i = 0; i < 3; i++) {
      await alice.client.call('secret.claimKeyPackages', { userIds: [junho.user.userId] });
    }
    await until(async () => expect(await remaining()).toBe(5));
  });

  it('two members committing at once end in the same epoch with the same authenticator', async () => {
    const chat = await alice.secret.createChat([bob.user.userId], 'race');
    await sameEpoch(chat, [alice, bob]);
    const start = alice.secret.epoch(chat).epoch;
    await Promise.all([alice.secret.updateKeys(chat), bob.secret.updateKeys(chat)]);
    expect(await sameEpoch(chat, [alice, bob])).toBe(start + 2);
    const text = `after the race ${Math.random()}`;
    await bob.secret.send(chat, text);
    await until(() => expect(texts(alice, chat)).toContain(text));
  });

  it('a message that does not decrypt is an error event, and the messages after it still arrive', async () => {
    const chat = await alice.secret.createChat([bob.user.userId]);
    await sameEpoch(chat, [alice, bob]);
    const good = `good ${Math.random()}`;
    await alice.secret.send(chat, good);
    await until(() => expect(texts(bob, chat)).toContain(good));
    const sent = bob.delivered.findLast(
      (u): u is Extract<Update, { kind: 'secret.message' }> =>
        u.kind === 'secret.message' && u.chatId === chat && u.data !== null,
    )!;
    // The same ciphertext again (a replay), and one with a byte changed (tampered).
    const tampered = fromBase64(sent.data!);
    tampered[tampered.length - 5]! ^= 1;
    const { epoch } = alice.secret.epoch(chat);
    await alice.client.call('secret.send', { chatId: chat, epoch, data: sent.data! });
    await alice.client.call('secret.send', { chatId: chat, epoch, data: toBase64(tampered) });
    const later = `still delivered ${Math.random()}`;
    await alice.secret.send(chat, later);
    await until(() => expect(texts(bob, chat)).toContain(later));
    expect(bob.errors.map((e) => e.code)).toEqual(['DECRYPT_FAILED', 'DECRYPT_FAILED']);
    // Why, from @tokki/e2e: the replay; and the changed copy of a message already read, whose
    // key is gone before any tag is checked (a changed fresh message is @tokki/e2e's own test).
    expect(bob.errors.map((e) => (e.cause as { code?: string }).code)).toEqual([
      'REPLAY',
      'TOO_OLD',
    ]);
    expect(bob.errors.map((e) => e.details.seq)).toEqual([sent.seq + 1, sent.seq + 2]);
    expect(texts(bob, chat)).toEqual([good, later]);
    bob.errors.length = 0;
  });

  it('self-destruct: a 5 s message disappears from both clients 5 s after it is read', async () => {
    const chat = await alice.secret.createChat([bob.user.userId]);
    await sameEpoch(chat, [alice, bob]);
    await alice.secret.setTimer(chat, 5);
    await until(() => expect(bob.secret.chats().find((c) => c.chatId === chat)?.timer).toBe(5));
    const fleeting = `gone in five ${Math.random()}`;
    await alice.secret.send(chat, fleeting);
    await until(() => expect(texts(bob, chat)).toContain(fleeting));

    // Unread, it stays however long it waits.
    bob.clock.advance(60_000);
    expect(texts(bob, chat)).toContain(fleeting);
    await bob.secret.markRead(chat);
    bob.clock.advance(4_900);
    expect(texts(bob, chat)).toContain(fleeting);
    alice.clock.advance(4_900);
    expect(texts(alice, chat)).toContain(fleeting);
    bob.clock.advance(100);
    alice.clock.advance(100);
    await until(() => {
      expect(texts(bob, chat)).not.toContain(fleeting);
      expect(texts(alice, chat)).not.toContain(fleeting);
    });
    // Deleted from the stored state too, not only hidden.
    for (const device of [alice, bob]) {
      await device.secret.sync();
      expect(Buffer.from((await device.store.load())!).includes(fleeting)).toBe(false);
    }
  });

  it("the server's copy goes when every device has it, or at its TTL for a device that never asks", async () => {
    const chat = await alice.secret.createChat([bob.user.userId]);
    await sameEpoch(chat, [alice, bob]);
    const acked = await alice.secret.send(chat, `everyone has it ${Math.random()}`);
    const heldRows = () =>
      s.server.ctx.database.db
        .selectFrom('secret_messages')
        .select(['seq'])
        .where('chat_id', '=', chat)
        .execute();
    // Both devices acknowledged it: gone before any TTL.
    await until(async () => expect((await heldRows()).map((r) => r.seq)).not.toContain(acked.seq));

    // A device that is away never acknowledges: the message waits for it until the TTL.
    const laptop = await pool.open(s.url, base + 2, 'Bob');
    await until(() =>
      expect(alice.secret.members(chat).map((m) => m.deviceId)).toContain(laptop.user.deviceId),
    );
    await laptop.secret.close();
    laptop.client.disconnect();
    const waiting = await alice.secret.send(chat, `for the laptop ${Math.random()}`);
    await until(() =>
      expect(texts(bob, chat)).toContain(waiting.content.type === 'text' && waiting.content.text),
    );
    expect((await heldRows()).map((r) => r.seq)).toContain(waiting.seq);
    expect(await s.server.ctx.secret.purgeExpired()).toBe(0);

    serverSkew = (s.server.ctx.config.secret.messageTtlSeconds + 1) * 1000;
    try {
      expect(await s.server.ctx.secret.purgeExpired()).toBeGreaterThan(0);
    } finally {
      serverSkew = 0;
    }
    expect((await heldRows()).map((r) => r.seq)).not.toContain(waiting.seq);
    const difference = await alice.client.call('updates.getDifference', { pts: 0 });
    const logged = difference.kind === 'updates' ? difference.updates : [];
    const copies = logged.filter(
      ({ update }) => update.kind === 'secret.message' && update.chatId === chat,
    );
    expect(copies.length).toBeGreaterThan(0);
    for (const { update } of copies) expect(update).toMatchObject({ data: null });
  });
});

describe.skipIf(!(shouldTestPostgres() && shouldTestNats()))(
  'secret chats across two nodes',
  () => {
    let nats: RunningNats;
    let a: TestServer;
    let b: TestServer;
    const pool = devices();

    beforeAll(async () => {
      nats = await startNats();
      a = await startTestServer({ dialect: 'postgres', config: { busUrl: nats.url } });
      b = await startTestServer({ sharing: a, config: { busUrl: nats.url } });
    });
    afterAll(async () => {
      await pool.closeAll();
      await b?.close();
      await a?.close();
      await nats?.stop();
    });

    it('concurrent commits on two nodes: one wins, the other retries, all end in step', async () => {
      const alice = await pool.open(a.url, 301, 'Alice');
      const bob = await pool.open(b.url, 302, 'Bob');
      const carol = await pool.open(b.url, 303, 'Carol');
      await befriend(alice, bob, carol);
      const chat = await alice.secret.createChat([bob.user.userId, carol.user.userId]);
      await sameEpoch(chat, [alice, bob, carol]);
      const start = alice.secret.epoch(chat).epoch;
      await Promise.all([
        alice.secret.updateKeys(chat),
        bob.secret.updateKeys(chat),
        carol.secret.updateKeys(chat),
      ]);
      expect(await sameEpoch(chat, [alice, bob, carol])).toBe(start + 3);
      const text = `across nodes ${Math.random()}`;
      await carol.secret.send(chat, text);
      await until(() => {
        expect(texts(alice, chat)).toContain(text);
        expect(texts(bob, chat)).toContain(text);
      });
    });
  },
);
