// Several nodes on one PostgreSQL and one NATS server, as separate processes (issue 7): users
// on different nodes chat; nodes are killed, restarted one by one, and the bus restarted, under
// traffic; every acknowledged message reaches every member once, in order.
import {
  ClusterDevice,
  checkReceived,
  sendUntilAcked,
  createTestDatabase,
  RawSocket,
  shouldTestNats,
  shouldTestPostgres,
  signInTestUser,
  startNats,
  startServerProcess,
  testClient,
  type RunningNats,
  type ServerProcess,
  type TestDatabase,
  type TestUser,
} from '@tokki/dev-env';
import type { EventFrame } from '@tokki/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const CLUSTER = shouldTestPostgres() && shouldTestNats();

describe.skipIf(!CLUSTER)('a cluster of three nodes', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let nats: RunningNats;
  let nodes: (ServerProcess | undefined)[] = [];
  const devices: ClusterDevice[] = [];

  /** The nodes up now, starting from the i-th. */
  const up =
    (i = 0) =>
    () => {
      const live = nodes.filter((n): n is ServerProcess => n !== undefined).map((n) => n.url);
      return [...live.slice(i % live.length), ...live.slice(0, i % live.length)];
    };
  /** Calls through the node `up(i)` puts first when the call is made. */
  const through = (i: number) => testClient(() => ({ url: up(i)()[0]! }));
  const startNode = () => startServerProcess({ databaseUrl: database.url, busUrl: nats.url });

  beforeAll(async () => {
    [database, nats] = await Promise.all([createTestDatabase('postgres'), startNats()]);
    // The first node migrates the new database; the others find it done.
    nodes = [await startNode()];
    nodes.push(...(await Promise.all([startNode(), startNode()])));
  });

  afterEach(() => {
    for (const device of devices.splice(0)) device.stop();
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node?.stop()));
    await nats?.stop();
    await database?.drop();
  });

  /** Signs in user n through node i and connects a device to that node. */
  async function userOn(i: number, n: number): Promise<{ user: TestUser; device: ClusterDevice }> {
    const user = await signInTestUser(up(i)()[0]!, n);
    const device = new ClusterDevice(user, up(i));
    devices.push(device);
    await device.connect();
    return { user, device };
  }

  it('carries 1:1 and group messages, typing and presence between nodes', async () => {
    const a = await userOn(0, 1);
    const b = await userOn(1, 2);
    const c = await userOn(2, 3);
    const url = (i: number) => up(i)()[0]!;
    const direct = await through(0).call('chats.createDirect', { userId: b.user.userId }, a.user);
    const group = await through(2).call(
      'chats.createGroup',
      { title: 'three nodes', memberIds: [a.user.userId, b.user.userId] },
      c.user,
    );

    const acked = { direct: [] as number[], group: [] as number[] };
    const sends: Promise<void>[] = [];
    for (let k = 0; k < 30; k++) {
      const [sender, node] = k % 2 ? [b, 1] : [a, 0];
      sends.push(
        sendUntilAcked(up(node), sender.user, direct.id, `d${k}`).then(
          (seq) => void acked.direct.push(seq),
        ),
      );
      const member = [a, b, c][k % 3]!;
      sends.push(
        sendUntilAcked(up(k % 3), member.user, group.id, `g${k}`).then(
          (seq) => void acked.group.push(seq),
        ),
      );
    }
    await Promise.all(sends);
    for (const { device } of [a, b]) await device.waitFor(direct.id, acked.direct);
    for (const { device } of [a, b, c]) await device.waitFor(group.id, acked.group);
    for (const { device } of [a, b]) {
      expect(checkReceived(device, direct.id, acked.direct)).toEqual({
        missing: [],
        duplicated: [],
        inOrder: true,
        outOfOrderPts: [],
      });
    }
    for (const { device } of [a, b, c]) {
      expect(checkReceived(device, group.id, acked.group)).toMatchObject({
        missing: [],
        duplicated: [],
        inOrder: true,
      });
    }

    // Typing on node 0 reaches node 2; presence of a user on node 1 is seen from node 0.
    const watcher = await RawSocket.connect(url(2), c.user.token);
    const typing = watcher.waitFor(
      (f): f is EventFrame => f.type === 'event' && f.event.kind === 'typing',
    );
    await through(0).call('chats.setTyping', { chatId: group.id }, a.user);
    expect((await typing).event).toMatchObject({ chatId: group.id, userId: a.user.userId });

    await through(1).call('privacy.update', { lastSeen: 'everyone' }, b.user);
    const seer = await RawSocket.connect(url(0), a.user.token);
    const watched = await seer.request('presence.watch', { userIds: [b.user.userId] });
    expect(watched.result?.presences).toEqual([{ userId: b.user.userId, state: 'online' }]);
    const offline = seer.waitFor(
      (f): f is EventFrame =>
        f.type === 'event' && f.event.kind === 'presence' && f.event.presence.state === 'offline',
    );
    b.device.stop();
    expect((await offline).event).toMatchObject({
      presence: { userId: b.user.userId, state: 'offline' },
    });
    watcher.ws.terminate();
    seer.ws.terminate();
  });

  it('gives a user who joins a chat their node did not follow everything sent after', async () => {
    const host = await userOn(1, 11);
    const joiner = await userOn(0, 12);
    for (let round = 0; round < 10; round++) {
      const group = await through(1).call(
        'chats.createGroup',
        { title: `round ${round}`, memberIds: [] },
        host.user,
      );
      // Sends race the join: those acknowledged after it must all reach the joiner, whose node
      // begins following the chat only when it hears of the join.
      const added = through(1).call(
        'chats.addMembers',
        { chatId: group.id, userIds: [joiner.user.userId] },
        host.user,
      );
      const sends = Array.from({ length: 20 }, (_, k) =>
        sendUntilAcked(up(1), host.user, group.id, `r${round}-${k}`),
      );
      await added;
      await Promise.all(sends);
      // What the joiner may see, as the server answers it: every message after their joining.
      const { messages } = await through(0).call(
        'messages.history',
        { chatId: group.id, limit: 100 },
        joiner.user,
      );
      const visible = messages.map((m) => m.seq).reverse();
      expect(visible.length).toBeGreaterThan(0);
      await joiner.device.waitFor(group.id, visible);
      const got = joiner.device.received.get(group.id)!;
      expect(got).toEqual(visible);
    }
  });

  /**
   * Six users, two on each node: three 1:1 chats across nodes and one group of all six. Each
   * user keeps sending through their node (another once it is gone) until stopped.
   */
  async function steadyTraffic(first: number) {
    const people = await Promise.all([0, 1, 2, 3, 4, 5].map((k) => userOn(k % 3, first + k)));
    const url = up()()[0]!;
    const firstNode = testClient(() => ({ url }));
    const chats: { id: string; members: typeof people }[] = [];
    for (const [x, y] of [
      [0, 1],
      [2, 3],
      [4, 5],
    ] as const) {
      const chat = await firstNode.call(
        'chats.createDirect',
        { userId: people[y]!.user.userId },
        people[x]!.user,
      );
      chats.push({ id: chat.id, members: [people[x]!, people[y]!] });
    }
    const group = await firstNode.call(
      'chats.createGroup',
      { title: 'everyone', memberIds: people.slice(1).map((p) => p.user.userId) },
      people[0]!.user,
    );
    chats.push({ id: group.id, members: people });

    const acked = new Map(chats.map((chat) => [chat.id, [] as number[]]));
    let running = true;
    const loops = people.map(async (person, k) => {
      const mine = chats.filter((chat) => chat.members.includes(person));
      for (let n = 0; running; n++) {
        const chat = mine[n % mine.length]!;
        const seq = await sendUntilAcked(up(k % 3), person.user, chat.id, `${first + k}-${n}`);
        acked.get(chat.id)!.push(seq);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    return {
      /** Messages acknowledged so far. */
      sentSoFar: () => [...acked.values()].flat().length,
      /** Stops sending, then checks every device got every acknowledged message once, in order. */
      async stopAndCheck() {
        running = false;
        await Promise.all(loops);
        for (const chat of chats) {
          const seqs = acked.get(chat.id)!;
          expect(seqs.length).toBeGreaterThan(0);
          for (const { device } of chat.members) {
            await device.waitFor(chat.id, seqs);
            expect(checkReceived(device, chat.id, seqs)).toEqual({
              missing: [],
              duplicated: [],
              inOrder: true,
              outOfOrderPts: [],
            });
          }
        }
        return { sent: [...acked.values()].flat().length, people };
      },
    };
  }

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('loses nothing when a node is killed: its devices reconnect elsewhere and catch up', async () => {
    const traffic = await steadyTraffic(100);
    await pause(700);
    const killed = nodes[1]!;
    nodes[1] = undefined;
    const atKill = traffic.sentSoFar();
    await killed.kill();
    // Sending goes on through the kill: wait until it has, not for a fixed time a busy machine
    // may need more of.
    for (let waited = 0; traffic.sentSoFar() <= Math.max(atKill + 20, 50); waited += 100) {
      if (waited > 60_000) throw new Error(`sending stopped at ${traffic.sentSoFar()}`);
      await pause(100);
    }
    const { sent, people } = await traffic.stopAndCheck();
    expect(sent).toBeGreaterThan(50);
    // The two on the killed node moved; the others stayed.
    expect(people.map(({ device }) => device.reconnects > 0)).toEqual([
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
    nodes[1] = await startNode();
  });

  it('loses nothing in a rolling restart of every node', async () => {
    const traffic = await steadyTraffic(200);
    for (let i = 0; i < nodes.length; i++) {
      await pause(400);
      const old = nodes[i]!;
      nodes[i] = undefined;
      await old.stop();
      nodes[i] = await startNode();
    }
    await pause(400);
    const { people } = await traffic.stopAndCheck();
    for (const { device } of people) expect(device.reconnects).toBeGreaterThan(0);
  });

  it('loses nothing when NATS restarts: nodes are not ready meanwhile, then every device catches up', async () => {
    const traffic = await steadyTraffic(300);
    await pause(500);
    await nats.kill();
    await pause(300);
    const readiness = await fetch(`${up()()[0]}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ ready: false, checks: { bus: 'unreachable' } });
    await pause(700);
    await nats.restart();
    for (const url of up()()) {
      for (let tries = 0; (await fetch(`${url}/readyz`)).status !== 200; tries++) {
        if (tries > 100) throw new Error(`${url} did not become ready again`);
        await pause(100);
      }
    }
    await pause(500);
    const { people } = await traffic.stopAndCheck();
    // Nobody was cut off: the devices stayed connected and read what they missed.
    for (const { device } of people) expect(device.reconnects).toBe(0);
  });
});
