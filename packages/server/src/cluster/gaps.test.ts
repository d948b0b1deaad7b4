// What a cluster does when a node committed updates and never said so (it died between its
// commit and its publishing), and what a node does without its database or bus at start.
import {
  RawSocket,
  shouldTestNats,
  shouldTestPostgres,
  signInTestUser,
  startNats,
  startServerProcess,
  startTestServer,
  testClient,
  type RunningNats,
  type TestServer,
} from '@tokki/dev-env';
import { CLOSE_CODES } from '@tokki/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLUSTER = shouldTestPostgres() && shouldTestNats();

describe.skipIf(!CLUSTER)('a node that committed but never published', () => {
  let nats: RunningNats;
  let a: TestServer;
  let b: TestServer;
  const onA = testClient(() => a);
  const onB = testClient(() => b);

  beforeAll(async () => {
    nats = await startNats();
    a = await startTestServer({ dialect: 'postgres', config: { busUrl: nats.url } });
    b = await startTestServer({
      sharing: a,
      config: { busUrl: nats.url, metrics: { listen: '127.0.0.1:0' } },
    });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await nats?.stop();
  });

  it('leaves a gap the other nodes read from the log, in order', async () => {
    const alice = await signInTestUser(a.url, 1);
    const bob = await signInTestUser(b.url, 2);
    const chat = await onA.call('chats.createDirect', { userId: bob.userId }, alice);
    const bobs = await RawSocket.connect(b.url, bob.token);
    const send = (text: string) =>
      onA.call('messages.send', { chatId: chat.id, clientMsgId: text, text }, alice);

    // Node A commits and answers, but neither publishes nor announces: as if it died right
    // after the commit. Its next batch is announced as usual.
    const bus = a.server.ctx.bus;
    const { publish, committed } = bus;
    bus.publish = () => {};
    bus.committed = () => {};
    const lost = await send('committed, never published');
    bus.publish = publish;
    bus.committed = committed;
    const next = await send('published');

    const texts = async () => {
      await onB.update(bobs, 'message.new', (u) => u.message.seq === next.message.seq);
      return onB.updates(bobs).flatMap((u) => (u.kind === 'message.new' ? [u.message.seq] : []));
    };
    expect(await texts()).toEqual([lost.message.seq, next.message.seq]);
    bobs.ws.terminate();

    // A node on NATS reports its round trip to the bus.
    const metrics = await (await fetch(`${b.server.metricsUrl!}/metrics`)).text();
    const roundTrip = /^tokki_bus_round_trip_seconds (\S+)$/m.exec(metrics)?.[1];
    expect(Number(roundTrip)).toBeGreaterThan(0);
  });

  it('revokes a device on every node: its connection and its cached token', async () => {
    const phone = await signInTestUser(a.url, 5);
    const laptop = await signInTestUser(b.url, 5);
    const tablet = await signInTestUser(b.url, 5);
    const socket = await RawSocket.connect(b.url, laptop.token);
    await onA.call('devices.revoke', { deviceId: laptop.deviceId }, phone);
    await socket.waitForClose();
    expect(socket.closeCode).toBe(CLOSE_CODES.TOKEN_REVOKED);
    // Node B has the tablet's token in its cache, and no connection of the user's any more.
    await onB.call('devices.list', {}, tablet);
    await onA.call('devices.revoke', { deviceId: tablet.deviceId }, phone);
    await expect
      .poll(() => onB.call('devices.list', {}, tablet).catch((e: { code: string }) => e.code))
      .toBe('UNAUTHENTICATED');
  });

  it('rebuilds from the log a membership change in the gap: the new member hears the chat', async () => {
    const carol = await signInTestUser(a.url, 3);
    const dave = await signInTestUser(b.url, 4);
    const daves = await RawSocket.connect(b.url, dave.token);
    const bus = a.server.ctx.bus;
    const { publish, committed } = bus;
    bus.publish = () => {};
    bus.committed = () => {};
    // Dave's node hears nothing of the group he is put in.
    const group = await onA.call(
      'chats.createGroup',
      { title: 'gap', memberIds: [dave.userId] },
      carol,
    );
    bus.publish = publish;
    bus.committed = committed;
    const sent = await onA.call(
      'messages.send',
      { chatId: group.id, clientMsgId: 'after the gap', text: 'hello' },
      carol,
    );
    const joined = await onB.update(daves, 'chat.joined');
    expect(joined.update).toMatchObject({ chatId: group.id });
    const message = await daves.waitFor(
      (f) =>
        (f.type === 'update' || f.type === 'updates') &&
        JSON.stringify(f).includes(`"seq":${sent.message.seq}`),
    );
    expect(message).toBeDefined();
    // A message after that comes live, on the chat's subject the node now follows.
    const later = await onA.call(
      'messages.send',
      { chatId: group.id, clientMsgId: 'later', text: 'again' },
      carol,
    );
    await onB.update(daves, 'message.new', (u) => u.message.seq === later.message.seq);
    daves.ws.terminate();
  });
});

describe.skipIf(!CLUSTER)('a node without its database or bus', () => {
  const refusal = async (args: { databaseUrl: string; busUrl?: string }) => {
    const started = Date.now();
    const error = await startServerProcess(args).then(
      (node) => (void node.stop(), new Error('it started')),
      (error: Error) => error,
    );
    return { message: error.message, seconds: (Date.now() - started) / 1000 };
  };

  it('refuses to start, saying which and where', async () => {
    const nats = await startNats();
    try {
      const noDatabase = await refusal({
        databaseUrl: 'postgres://tokki:secret@127.0.0.1:1/tokki',
        busUrl: nats.url,
      });
      expect(noDatabase.message).toContain(
        'Cannot reach the database at postgres://tokki:***@127.0.0.1:1/tokki',
      );
      expect(noDatabase.message).not.toContain('secret');

      const database = await startTestServer({ dialect: 'postgres' });
      try {
        const noBus = await refusal({
          databaseUrl: database.databaseUrl,
          busUrl: 'nats://127.0.0.1:1',
        });
        expect(noBus.message).toContain('Cannot reach the bus at nats://127.0.0.1:1');
        const badBus = await refusal({ databaseUrl: database.databaseUrl, busUrl: 'redis://x' });
        expect(badBus.message).toContain('Invalid bus URL "redis://x"');
      } finally {
        await database.close();
      }
      const sqlite = await refusal({ databaseUrl: 'sqlite:/tmp/tokki-never.db', busUrl: nats.url });
      expect(sqlite.message).toContain('A cluster bus needs a database every node shares');
    } finally {
      await nats.stop();
    }
  });
});
