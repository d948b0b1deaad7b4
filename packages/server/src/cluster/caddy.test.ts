// Acceptance 3 of issue 15: the shipped deploy/Caddyfile, with Caddy's internal CA, in front of
// two nodes on PostgreSQL and NATS. A client signs in, sends, and another device receives it live,
// all over TLS through the proxy.
import { connect as connectHttp2 } from 'node:http2';
import { request } from 'node:https';
import {
  caddySkipMessage,
  createTestDatabase,
  RawSocket,
  shouldTestCaddy,
  shouldTestNats,
  shouldTestPostgres,
  startCaddy,
  startNats,
  startServerProcess,
  testPhone,
  type RunningCaddy,
  type RunningNats,
  type ServerProcess,
  type TestDatabase,
} from '@tokki/dev-env';
import type { MethodName, MethodResult } from '@tokki/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CADDY = shouldTestCaddy();
if (!CADDY) console.log(caddySkipMessage());
const RUN = CADDY && shouldTestPostgres() && shouldTestNats();

describe.skipIf(!RUN)('Caddy with TLS in front of two nodes', { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let nats: RunningNats;
  let nodes: ServerProcess[] = [];
  let caddy: RunningCaddy;

  /** One API call to `https://…` through Caddy, trusting only Caddy's CA. */
  function call<M extends MethodName>(
    method: M,
    params: unknown,
    token?: string,
  ): Promise<MethodResult<M>> {
    const body = JSON.stringify(params);
    return new Promise((resolve, reject) => {
      const req = request(
        `${caddy.url}/v1/${method}`,
        {
          method: 'POST',
          ca: caddy.ca,
          headers: {
            'content-type': 'application/json',
            ...(token && { authorization: `Bearer ${token}` }),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            if (response.statusCode === 200) resolve(JSON.parse(text) as MethodResult<M>);
            else reject(new Error(`${method}: ${response.statusCode} ${text}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function signIn(n: number, displayName: string) {
    const { phone, code } = testPhone(n);
    await call('auth.requestCode', { phone });
    return call('auth.signIn', { phone, code, displayName });
  }

  beforeAll(async () => {
    [database, nats] = await Promise.all([createTestDatabase('postgres'), startNats()]);
    // Behind the proxy, the nodes believe its X-Forwarded-For, as deploy/ sets them up.
    const startNode = () =>
      startServerProcess({
        databaseUrl: database.url,
        busUrl: nats.url,
        env: { TOKKI_TRUST_PROXY: '127.0.0.1' },
      });
    // The first node migrates the new database; the second finds it done.
    nodes = [await startNode()];
    nodes.push(await startNode());
    caddy = await startCaddy({ nodes: nodes.map((node) => `127.0.0.1:${node.port}`) });
  });

  afterAll(async () => {
    await caddy?.stop();
    await Promise.all(nodes.map((node) => node.stop()));
    await nats?.stop();
    await database?.drop();
  });

  it('speaks HTTP/2 with a certificate from its CA, and keeps /metrics internal', async () => {
    const session = connectHttp2(caddy.url, { ca: caddy.ca });
    const statusOf = (path: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const stream = session.request({ ':path': path });
        stream.on('response', (headers) => resolve(headers[':status']));
        stream.on('error', reject);
        stream.resume();
        stream.end();
      });
    try {
      expect(await statusOf('/readyz')).toBe(200);
      expect(session.alpnProtocol).toBe('h2');
      expect(await statusOf('/metrics')).toBe(404);
    } finally {
      session.close();
    }
  });

  it('signs in, sends, and delivers live over WebSockets through the proxy', async () => {
    const alice = await signIn(1, 'Alice');
    const bob = await signIn(2, 'Bob');
    // least_conn puts the second WebSocket on the node without one: the message crosses nodes.
    const bobDevice = await RawSocket.connect(caddy.url, bob.token, undefined, { ca: caddy.ca });
    const aliceDevice = await RawSocket.connect(caddy.url, alice.token, undefined, {
      ca: caddy.ca,
    });
    try {
      const chat = await call('chats.createDirect', { userId: bob.me.id }, alice.token);
      const sent = await aliceDevice.request('messages.send', {
        chatId: chat.id,
        clientMsgId: 'through-caddy',
        text: '안녕, over TLS',
      });
      expect(sent.error).toBeUndefined();
      const arrived = await bobDevice.waitFor(
        (frame) =>
          frame.type === 'update' &&
          frame.update.kind === 'message.new' &&
          frame.update.message.text === '안녕, over TLS',
        60_000,
      );
      expect(arrived.type).toBe('update');
    } finally {
      aliceDevice.close();
      bobDevice.close();
    }
  });
});
