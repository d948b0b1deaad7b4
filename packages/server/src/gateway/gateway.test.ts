import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RawSocket,
  signInTestUser,
  startTestServer,
  testClient,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { CLOSE_CODES, LIMITS, type ResponseFrame } from '@tokki/protocol';

describe('WebSocket protocol', () => {
  let s: TestServer;
  let alice: TestUser, bob: TestUser;
  let chatId: string;
  const { call } = testClient(() => s);

  beforeAll(async () => {
    s = await startTestServer();
    [alice, bob] = await Promise.all([signInTestUser(s.url, 1), signInTestUser(s.url, 2)]);
    chatId = (await call('chats.createDirect', { userId: bob.userId }, alice)).id;
  });
  afterAll(() => s?.close());

  it('answers every bad frame with a typed error and keeps working', async () => {
    const socket = await RawSocket.connect(s.url, alice.token);
    const errorsBefore = () => socket.frames.filter((f) => f.type === 'error').length;

    socket.sendRaw('{"type":"req",');
    socket.sendRaw('[1,2,3]');
    socket.sendRaw(Buffer.from([0xde, 0xad]));
    await socket.waitFor(() => errorsBefore() >= 3);
    expect(socket.frames.filter((f) => f.type === 'error').map((f) => f.error?.code)).toEqual([
      'MALFORMED_FRAME',
      'MALFORMED_FRAME',
      'MALFORMED_FRAME',
    ]);

    expect((await socket.request('no.such.method', {})).error?.code).toBe('UNKNOWN_METHOD');
    expect(
      (await socket.request('messages.send', { chatId, clientMsgId: 5, text: 'x' })).error?.code,
    ).toBe('INVALID_PARAMS');
    expect(
      (await socket.request('messages.send', { chatId, clientMsgId: 'a', text: 'x'.repeat(4097) }))
        .error,
    ).toMatchObject({
      code: 'TEXT_TOO_LONG',
    });
    expect((await socket.request('messages.send', 'not an object')).error?.code).toBe(
      'INVALID_PARAMS',
    );
    expect((await socket.request('connect', { token: alice.token })).error?.code).toBe(
      'BAD_REQUEST',
    );
    // A frame with an id but the wrong shape is answered against that id.
    socket.sendRaw(JSON.stringify({ type: 'req', id: 'odd', method: 42 }));
    expect(
      (await socket.waitFor((f): f is ResponseFrame => f.type === 'res' && f.id === 'odd')).error
        ?.code,
    ).toBe('MALFORMED_FRAME');

    const ok = await socket.request('messages.send', {
      chatId,
      clientMsgId: 'after-errors',
      text: 'still here',
    });
    expect(ok.result?.message.text).toBe('still here');
    const history = await call('messages.history', { chatId }, alice);
    expect(history.messages.map((m) => m.text)).toEqual(['still here']);
    socket.close();
  });

  it('closes with 1009 on a frame over the size limit', async () => {
    const socket = await RawSocket.connect(s.url, alice.token);
    socket.sendRaw(
      JSON.stringify({
        type: 'req',
        id: 1,
        method: 'messages.send',
        params: { text: 'x'.repeat(LIMITS.MAX_FRAME_BYTES) },
      }),
    );
    expect(await socket.waitForClose()).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
  });

  it('closes with 4008 after too many invalid frames in a row', async () => {
    const socket = await RawSocket.connect(s.url, alice.token);
    for (let i = 0; i < LIMITS.INVALID_FRAMES_MAX; i++) socket.sendRaw('nope');
    expect(await socket.waitForClose()).toBe(CLOSE_CODES.PROTOCOL_VIOLATION);
  });

  it('requires connect first, with a valid token', async () => {
    const early = await RawSocket.open(s.url);
    expect((await early.request('chats.list', {})).error?.code).toBe('UNAUTHENTICATED');
    expect(await early.waitForClose()).toBe(CLOSE_CODES.UNAUTHENTICATED);

    const forged = await RawSocket.open(s.url);
    expect(
      (await forged.request('connect', { token: `${alice.deviceId}.forged` })).error?.code,
    ).toBe('UNAUTHENTICATED');
    expect(await forged.waitForClose()).toBe(CLOSE_CODES.UNAUTHENTICATED);

    const malformed = await RawSocket.open(s.url);
    expect((await malformed.request('connect', { token: alice.token, pts: -1 })).error?.code).toBe(
      'INVALID_PARAMS',
    );
    expect(await malformed.waitForClose()).toBe(CLOSE_CODES.UNAUTHENTICATED);
  });

  it('answers a second connect sent before the first is answered, and replays nothing twice', async () => {
    const { pts } = await call('updates.getState', {}, bob);
    await call('messages.send', { chatId, clientMsgId: 'twice-1', text: 'one' }, alice);
    const socket = await RawSocket.open(s.url);
    const [first, second] = await Promise.all([
      socket.request('connect', { token: bob.token, pts }),
      socket.request('connect', { token: bob.token, pts }),
    ]);
    expect(first.result).toMatchObject({ mode: 'resume' });
    expect(second.error?.code).toBe('BAD_REQUEST');
    await socket.waitFor((f) => f.type === 'synced');
    const sent = socket
      .updates()
      .map(({ update }) => (update.kind === 'message.new' ? update.message.text : update.kind));
    expect(sent).toEqual(['one']);
    socket.close();
  });

  it('refuses upgrades on other paths', async () => {
    await expect(RawSocket.open(s.url.replace(/$/, '/v1/nope'))).rejects.toThrow();
  });

  it('relays typing to the other members only, without a pts', async () => {
    const bobSocket = await RawSocket.connect(s.url, bob.token);
    const aliceSocket = await RawSocket.connect(s.url, alice.token);
    expect((await aliceSocket.request('chats.setTyping', { chatId })).result).toEqual({});
    const event = await bobSocket.waitFor((f) => f.type === 'event');
    expect(event.event).toEqual({ kind: 'typing', chatId, userId: alice.userId });
    expect(aliceSocket.frames.some((f) => f.type === 'event')).toBe(false);
    bobSocket.close();
    aliceSocket.close();
  });
});
