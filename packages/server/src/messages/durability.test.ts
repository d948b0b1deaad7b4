import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createTestDatabase,
  signInTestUser,
  startServerProcess,
  testClient,
  testDialects,
  type ServerProcess,
  type TestDatabase,
} from '@tokki/dev-env';
import { openDatabase } from '../db/database.js';

const TOTAL = 10_000;
/** Sends in flight at once: "as fast as acks come back". */
const WINDOW = 200;
/** Acks after which the server is killed. */
const KILL_AT = [2_500, 6_000];

interface Ack {
  seq: number;
  text: string;
}

/**
 * Sends every message over one WebSocket, `WINDOW` at a time, until the socket dies.
 * Resolves with the clientMsgIds that were in flight (sent, never acknowledged).
 */
function sendUntilDisconnected(
  url: string,
  token: string,
  chatId: string,
  queue: string[],
  acked: Map<string, Ack>,
  onAck: () => void,
): Promise<string[]> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`);
    const inFlight = new Map<number, string>();
    let nextId = 1;
    const pump = () => {
      while (inFlight.size < WINDOW && queue.length > 0 && ws.readyState === WebSocket.OPEN) {
        const clientMsgId = queue.shift()!;
        const id = nextId++;
        inFlight.set(id, clientMsgId);
        ws.send(
          JSON.stringify({
            type: 'req',
            id,
            method: 'messages.send',
            params: { chatId, clientMsgId, text: `text of ${clientMsgId}` },
          }),
        );
      }
      if (inFlight.size === 0 && queue.length === 0) ws.close();
    };
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'req', id: 0, method: 'connect', params: { token } })),
    );
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type !== 'res') return;
      if (frame.id === 0) return pump();
      const clientMsgId = inFlight.get(frame.id)!;
      inFlight.delete(frame.id);
      if (frame.error) throw new Error(`send failed: ${JSON.stringify(frame.error)}`);
      acked.set(clientMsgId, { seq: frame.result.message.seq, text: frame.result.message.text });
      onAck();
      pump();
    });
    const finish = () => resolve([...inFlight.values()]);
    ws.on('close', finish);
    ws.on('error', () => {});
  });
}

describe.each(testDialects)('durability on %s', (dialect) => {
  let database: TestDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await server?.stop().catch(() => {});
    await database?.drop();
  });

  it('keeps every acknowledged message exactly once through SIGKILLs, and retries make no copies', async () => {
    server = await startServerProcess({ databaseUrl: database.url });
    const port = server.port;
    const alice = await signInTestUser(server.url, 1);
    const bob = await signInTestUser(server.url, 2);
    const chat = await testClient(() => server).call(
      'chats.createDirect',
      { userId: bob.userId },
      alice,
    );

    const queue = Array.from({ length: TOTAL }, (_, i) => `msg-${i}`);
    const acked = new Map<string, Ack>();
    const kills = [...KILL_AT];
    let killing: Promise<void> | null = null;
    const onAck = () => {
      if (kills.length > 0 && acked.size >= kills[0]! && !killing) {
        kills.shift();
        killing = server.kill();
      }
    };

    let rounds = 0;
    while (acked.size < TOTAL) {
      expect(++rounds).toBeLessThan(10);
      const unacknowledged = await sendUntilDisconnected(
        server.url,
        alice.token,
        chat.id,
        queue,
        acked,
        onAck,
      );
      if (killing) {
        await killing;
        killing = null;
        // What was acknowledged before the kill is all there, once, before anything is resent.
        await expectStored(acked);
        server = await startServerProcess({ databaseUrl: database.url, port });
      }
      // Unacknowledged sends go again with the same clientMsgId, ahead of the rest.
      queue.unshift(...unacknowledged);
    }
    expect(rounds).toBe(KILL_AT.length + 1);
    await server.stop();
    await expectStored(acked);
  }, 180_000);

  async function expectStored(acked: Map<string, Ack>): Promise<void> {
    const { db, close } = await openDatabase(database.url);
    try {
      const rows = await db
        .selectFrom('messages')
        .select(['seq', 'client_msg_id', 'text'])
        .orderBy('seq')
        .execute();
      const byClientMsgId = new Map(rows.map((r) => [r.client_msg_id, r]));
      expect(byClientMsgId.size).toBe(rows.length);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      for (const [clientMsgId, ack] of acked) {
        const row = byClientMsgId.get(clientMsgId);
        expect(row, clientMsgId).toBeDefined();
        expect({ seq: row!.seq, text: row!.text }).toEqual(ack);
      }
      if (acked.size === TOTAL) expect(rows).toHaveLength(TOTAL);
    } finally {
      await close();
    }
  }
});
