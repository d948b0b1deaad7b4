// The client's address behind a reverse proxy (trustProxy), as the per-address limit on sign-in
// codes sees it, over HTTP and over the WebSocket.
import {
  RawSocket,
  signInTestUser,
  startTestServer,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from './config.js';

/** One code per address and hour: a second request from the same address is RATE_LIMITED. */
const ONE_CODE_PER_ADDRESS: ConfigInput['rateLimits'] = {
  codeRequestsPerIp: { max: 1, windowSeconds: 3600 },
};

let nextNumber = 1;
/** A real (not test) number, so the per-address limit applies; a new one each time. */
const phone = () => `010-1234-${String(nextNumber++).padStart(4, '0')}`;

/** auth.requestCode over HTTP, as if through a proxy that says the client is `forwardedFor`. */
async function requestCodeOverHttp(server: TestServer, forwardedFor: string): Promise<string> {
  const response = await fetch(`${server.url}/v1/auth.requestCode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ phone: phone() }),
  });
  const body = (await response.json()) as { error?: { code: string } };
  return body.error?.code ?? 'OK';
}

/** auth.requestCode over a WebSocket opened with that X-Forwarded-For. */
async function requestCodeOverWebSocket(
  server: TestServer,
  user: TestUser,
  forwardedFor: string,
): Promise<string> {
  const socket = await RawSocket.connect(server.url, user.token, undefined, {
    headers: { 'x-forwarded-for': forwardedFor },
  });
  try {
    const res = await socket.request('auth.requestCode', { phone: phone() });
    return res.error?.code ?? 'OK';
  } finally {
    socket.close();
  }
}

describe('behind a trusted proxy', () => {
  let server: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer({
      config: { trustProxy: ['127.0.0.1'], rateLimits: ONE_CODE_PER_ADDRESS },
    });
    user = await signInTestUser(server.url, 1);
  });
  afterAll(() => server?.close());

  it('takes the client address from X-Forwarded-For, the same over HTTP and WebSocket', async () => {
    expect(await requestCodeOverHttp(server, '203.0.113.1')).toBe('OK');
    // Another client behind the same proxy has its own limit.
    expect(await requestCodeOverHttp(server, '203.0.113.2')).toBe('OK');
    // The first client again: its own limit is spent, whatever other hops it went through.
    expect(await requestCodeOverHttp(server, '198.51.100.9, 203.0.113.1')).toBe('RATE_LIMITED');
    expect(await requestCodeOverWebSocket(server, user, '203.0.113.1')).toBe('RATE_LIMITED');
    expect(await requestCodeOverWebSocket(server, user, '203.0.113.3')).toBe('OK');
  });
});

describe('X-Forwarded-For from an address not trusted', () => {
  let server: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer({
      config: { trustProxy: ['10.0.0.1'], rateLimits: ONE_CODE_PER_ADDRESS },
    });
    user = await signInTestUser(server.url, 1);
  });
  afterAll(() => server?.close());

  it('is ignored: a client cannot pick its own address to escape its limit', async () => {
    expect(await requestCodeOverHttp(server, '203.0.113.1')).toBe('OK');
    expect(await requestCodeOverHttp(server, '203.0.113.2')).toBe('RATE_LIMITED');
    expect(await requestCodeOverWebSocket(server, user, '203.0.113.3')).toBe('RATE_LIMITED');
  });
});
