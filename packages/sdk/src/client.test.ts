// End-to-end tests of the SDK against a real Tokki server started by @tokki/dev-env. Network
// faults come from a TCP proxy between client and server (below), never from a fake server.
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { startTestServer } from '@tokki/dev-env';
import type { Message, UpdateEnvelope } from '@tokki/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnectionError, TokkiClient, TokkiError, type ConnectionState } from './index.js';

const fastBackoff = { baseMs: 20, capMs: 200 };

let server: { url: string; close(): Promise<void> };
let nextUser = 1;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

/**
 * A fresh user on a new client. Local mode's test numbers +99966 X YYYY sign in with X five
 * times, so +99966 1 YYYY uses 11111.
 */
async function signedInClient(url = server.url, options: { phone?: string } = {}) {
  const phone = options.phone ?? `+999661${String(nextUser++).padStart(4, '0')}`;
  const code = phone.charAt(6).repeat(5);
  const client = new TokkiClient({ server: url, backoff: fastBackoff });
  await client.requestCode(phone);
  const { me } = await client.signIn({ phone, code, displayName: `User ${phone}` });
  return { client, me, phone };
}

/** Collects `message.new` updates and resolves when `count` have arrived. */
function collectMessages(client: TokkiClient) {
  const envelopes: UpdateEnvelope[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  client.on('update', (envelope) => {
    envelopes.push(envelope);
    const messages = envelopes.filter((e) => e.update.kind === 'message.new').length;
    for (const waiter of waiters.filter((w) => messages >= w.count)) waiter.resolve();
  });
  return {
    envelopes,
    messages: () =>
      envelopes.flatMap((e) => (e.update.kind === 'message.new' ? [e.update.message] : [])),
    waitFor: (count: number) =>
      new Promise<void>((resolve) => {
        waiters.push({ count, resolve });
        if (envelopes.filter((e) => e.update.kind === 'message.new').length >= count) resolve();
      }),
  };
}

function waitForState(client: TokkiClient, state: ConnectionState): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on('state', (next) => {
      if (next === state) {
        off();
        resolve();
      }
    });
  });
}

describe('auth and calls', () => {
  it('signs in with a test number and keeps the token', async () => {
    const tokens: (string | undefined)[] = [];
    const phone = `+999662${String(nextUser++).padStart(4, '0')}`;
    const client = new TokkiClient({ server: server.url, onToken: (t) => tokens.push(t) });

    const requested = await client.requestCode(phone);
    expect(requested.phone).toBe(phone);
    const { me, token, newUser } = await client.signIn({ phone, code: '22222' });

    expect(newUser).toBe(true);
    expect(me.phone).toBe(phone);
    expect(client.token).toBe(token);
    expect(tokens).toEqual([token]);
  });

  it('makes typed calls with the stored token', async () => {
    const { client, me } = await signedInClient();
    const profile = await client.call('profile.get', {});
    expect(profile).toEqual(me);
    const updated = await client.call('profile.update', { statusMessage: '토끼' });
    expect(updated.statusMessage).toBe('토끼');
  });

  it('rejects a refused call with a typed error, without retrying it', async () => {
    const { client } = await signedInClient();
    const error = await client.sendMessage('nonexistent-chat', 'hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokkiError);
    expect(['NOT_FOUND', 'NOT_MEMBER']).toContain((error as TokkiError).code);
    expect([403, 404]).toContain((error as TokkiError).status);
    expect(isConnectionError(error)).toBe(false);
  });

  it('rejects a wrong code as CODE_INVALID and an unknown token as UNAUTHENTICATED', async () => {
    const client = new TokkiClient({ server: server.url });
    const phone = `+999663${String(nextUser++).padStart(4, '0')}`;
    await client.requestCode(phone);
    await expect(client.signIn({ phone, code: '99999' })).rejects.toMatchObject({
      code: 'CODE_INVALID',
    });

    const stranger = new TokkiClient({ server: server.url, token: 'not-a-token' });
    await expect(stranger.call('profile.get', {})).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
  });

  it('reports an unreachable server as a connection error', async () => {
    const proxy = await FaultyProxy.start(server.url);
    proxy.refuse = true;
    const client = new TokkiClient({ server: proxy.url });
    const error = await client.requestCode('+9996610000').catch((e: unknown) => e);
    expect(isConnectionError(error)).toBe(true);
    await proxy.close();
  });
});

describe('realtime', () => {
  it('delivers a message live, and calls go over the socket once synced', async () => {
    const alice = await signedInClient();
    const bob = await signedInClient();
    const chat = await alice.client.call('chats.createDirect', { userId: bob.me.id });

    const received = collectMessages(bob.client);
    const states: ConnectionState[] = [];
    bob.client.on('state', (s) => states.push(s));
    await bob.client.connect();
    expect(bob.client.state).toBe('synced');
    expect(states).toEqual(['connecting', 'connected', 'synced']);

    const sent = await alice.client.sendMessage(chat.id, '안녕, 밥');
    await received.waitFor(1);
    // Bob gets no clientMsgId: only Alice's own answers and devices do.
    const asBobSees = { ...sent.message, clientMsgId: undefined };
    expect(received.messages()).toEqual([asBobSees]);
    expect(bob.client.pts).toBe(received.envelopes.at(-1)!.pts);

    // Over the socket now: the same typed result as over HTTP.
    const history = await bob.client.call('messages.history', { chatId: chat.id });
    expect(history.messages).toEqual([asBobSees]);
    bob.client.disconnect();
    expect(bob.client.state).toBe('offline');
  });

  it('reconnects after the connection drops and resumes with nothing missed or doubled', async () => {
    const proxy = await FaultyProxy.start(server.url);
    const alice = await signedInClient();
    const bob = await signedInClient(proxy.url);
    const chat = await alice.client.call('chats.createDirect', { userId: bob.me.id });

    const persisted: number[] = [];
    const bobDevice = new TokkiClient({
      server: proxy.url,
      token: bob.client.token!,
      backoff: fastBackoff,
      onPts: (pts) => persisted.push(pts),
    });
    const received = collectMessages(bobDevice);
    const modes: string[] = [];
    bobDevice.on('connected', (result) => modes.push(result.mode));
    await bobDevice.connect();

    const texts = Array.from({ length: 8 }, (_, i) => `message ${i + 1}`);
    await alice.client.sendMessage(chat.id, texts[0]!);
    await received.waitFor(1);

    // The network fails: open connections die and new ones are refused for a while.
    proxy.refuse = true;
    proxy.cut();
    await waitForState(bobDevice, 'offline');
    for (const text of texts.slice(1, 6)) await alice.client.sendMessage(chat.id, text);
    proxy.refuse = false;

    await received.waitFor(6);
    await waitForState(bobDevice, 'synced');
    for (const text of texts.slice(6)) await alice.client.sendMessage(chat.id, text);
    await received.waitFor(8);

    expect(received.messages().map((m) => m.text)).toEqual(texts);
    expect(received.messages().map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const pts = received.envelopes.map((e) => e.pts);
    expect(pts).toEqual([...pts].sort((a, b) => a - b));
    expect(new Set(pts).size).toBe(pts.length);
    expect(modes).toEqual(['reload', 'resume']);
    expect(persisted.at(-1)).toBe(bobDevice.pts);

    bobDevice.disconnect();
    await proxy.close();
  });

  it('reconnects to a restarted server and resumes', async () => {
    const first = await startTestServer();
    const { port } = first.server;
    const alice = await signedInClient(first.url);
    const bob = await signedInClient(first.url);
    const chat = await alice.client.call('chats.createDirect', { userId: bob.me.id });
    const received = collectMessages(bob.client);
    await bob.client.connect();
    await alice.client.sendMessage(chat.id, 'before');
    await received.waitFor(1);

    // A clean shutdown closes sockets with 1001; the same database comes back on the same port.
    await first.server.close();
    await waitForState(bob.client, 'offline');
    const second = await startTestServer({ config: { port, databaseUrl: first.databaseUrl } });
    try {
      await alice.client.sendMessage(chat.id, 'after 1');
      await alice.client.sendMessage(chat.id, 'after 2');
      await received.waitFor(3);
      await waitForState(bob.client, 'synced');
      expect(received.messages().map((m) => m.text)).toEqual(['before', 'after 1', 'after 2']);
      expect(bob.client.state).toBe('synced');
    } finally {
      bob.client.disconnect();
      await second.close();
      await first.close();
    }
  });

  it('resumes from a stored pts on a new client', async () => {
    const alice = await signedInClient();
    const bob = await signedInClient();
    const chat = await alice.client.call('chats.createDirect', { userId: bob.me.id });
    await bob.client.connect();
    const storedPts = bob.client.pts!;
    bob.client.disconnect();

    const missed = await alice.client.sendMessage(chat.id, 'while you were away');
    const restored = new TokkiClient({
      server: server.url,
      token: bob.client.token!,
      pts: storedPts,
    });
    const received = collectMessages(restored);
    let reloaded = false;
    restored.on('reload', () => (reloaded = true));
    await restored.connect();
    await received.waitFor(1);

    expect(reloaded).toBe(false);
    expect(received.messages()).toEqual([{ ...missed.message, clientMsgId: undefined }]);
    restored.disconnect();
  });

  it('resends with the same clientMsgId when the ack is lost, so the message exists once', async () => {
    const proxy = await FaultyProxy.start(server.url);
    const alice = await signedInClient();
    const bob = await signedInClient();
    const chat = await alice.client.call('chats.createDirect', { userId: bob.me.id });
    const aliceDevice = new TokkiClient({
      server: proxy.url,
      token: alice.client.token!,
      backoff: fastBackoff,
      requestTimeoutMs: 1000,
    });
    await aliceDevice.connect();

    // The request reaches the server, the answer never comes back.
    proxy.dropResponses = true;
    let retries = 0;
    let firstRetryAt = 0;
    const sending = aliceDevice.sendMessage(chat.id, 'exactly once', {
      onRetry: () => {
        retries++;
        firstRetryAt ||= Date.now();
        proxy.dropResponses = false;
      },
    });
    const { message } = await sending;

    expect(retries).toBeGreaterThanOrEqual(1);
    // The answer is the message the first attempt stored, not a new one.
    expect(message.createdAt).toBeLessThan(firstRetryAt);
    const history = await bob.client.call('messages.history', { chatId: chat.id });
    expect(history.messages.filter((m: Message) => m.text === 'exactly once')).toEqual([
      { ...message, clientMsgId: undefined },
    ]);

    aliceDevice.disconnect();
    await proxy.close();
  });

  it('stops reconnecting when the device is revoked, and drops the token', async () => {
    const phone = `+999664${String(nextUser++).padStart(4, '0')}`;
    const phoneDevice = await signedInClient(server.url, { phone });
    const pcDevice = await signedInClient(server.url, { phone });
    await pcDevice.client.connect();
    const { devices } = await pcDevice.client.call('devices.list', {});
    const pc = devices.find((d) => d.current)!;
    await phoneDevice.client.call('devices.revoke', { deviceId: pc.id });

    await waitForState(pcDevice.client, 'revoked');
    expect(pcDevice.client.token).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pcDevice.client.state).toBe('revoked');
  });

  it('signs out: the token stops working', async () => {
    const { client } = await signedInClient();
    const token = client.token!;
    await client.connect();
    await client.signOut();
    expect(client.token).toBeUndefined();
    expect(client.state).toBe('offline');
    const old = new TokkiClient({ server: server.url, token });
    await expect(old.call('profile.get', {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

/**
 * A TCP proxy in front of the real server that can fail like a network: refuse connections,
 * cut open ones, or swallow everything the server sends back.
 */
class FaultyProxy {
  /** New connections are closed at once. */
  refuse = false;
  /** Bytes from the server are dropped: requests arrive, answers never do. */
  dropResponses = false;
  url = '';
  readonly #sockets = new Set<Socket>();
  readonly #server: Server;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.#server = createServer((client) => this.#accept(client));
  }

  static async start(target: string): Promise<FaultyProxy> {
    const { hostname, port } = new URL(target);
    const proxy = new FaultyProxy(hostname === 'localhost' ? '127.0.0.1' : hostname, Number(port));
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    const address = proxy.#server.address();
    if (typeof address !== 'object' || !address) throw new Error('proxy has no port');
    proxy.url = `http://127.0.0.1:${address.port}`;
    return proxy;
  }

  /** Drops every open connection, like a network outage. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.refuse) {
      client.destroy();
      return;
    }
    const upstream = connectTcp(this.targetPort, this.targetHost);
    this.#sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!this.dropResponses) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
