import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFakeSens,
  startFakeSmsWebhook,
  startFakeTwilio,
  startTestServer,
  TEST_CONTACT_HASH_KEY,
  testClient,
  type FakeSmsGateway,
  type TestServer,
} from '@tokki/dev-env';
import { resolveConfig, type ConfigInput } from '../config.js';
import { createLogger } from '../context.js';
import { SmsSendError } from './sms.js';
import { createSmsProvider } from './sms-providers.js';

/** A pino destination that keeps every line, to check what reaches the log. */
function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, logger: createLogger('trace', stream) };
}

const GATEWAYS: [string, () => Promise<FakeSmsGateway>][] = [
  ['twilio', () => startFakeTwilio()],
  ['sens', () => startFakeSens()],
  ['http', () => startFakeSmsWebhook()],
];

/** The credentials in a fake's config block that must never be logged. */
const secretsOf = (fake: FakeSmsGateway) =>
  ['authToken', 'secretKey', 'secret']
    .map((field) => fake.config[field])
    .filter((value): value is string => typeof value === 'string');

describe.each(GATEWAYS)('the %s adapter against its fake', (name, startFake) => {
  let fake: FakeSmsGateway;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(() => fake?.close());

  // Tries get room for a busy machine; only the timeout test wants a short one.
  const provider = (sms: Partial<Record<string, string | number>> = {}) => {
    const config = resolveConfig({
      contactHashKey: TEST_CONTACT_HASH_KEY,
      sms: { ...fake.config, timeoutMs: 10_000, ...sms },
    });
    return createSmsProvider(config.sms, createLogger('silent'));
  };

  it('texts a code as the provider documents, to Korean and other numbers', async () => {
    await provider().sendCode('+821012345678', '123456');
    await provider().sendCode('+14155552671', '654321');
    expect(fake.problems).toEqual([]);
    expect(fake.codeFor('+821012345678')).toBe('123456');
    expect(fake.codeFor('+14155552671')).toBe('654321');
  });

  it('reports a refused number as rejected, without trying again', async () => {
    fake.refuse.add('+821099990000');
    const before = fake.requests;
    await expect(provider().sendCode('+821099990000', '111111')).rejects.toMatchObject({
      kind: 'rejected',
      provider: name,
      status: expect.any(Number),
    });
    expect(fake.requests - before).toBe(1);
    expect(fake.problems).toEqual([]);
  });

  it('tries again after a 5xx, within its budget', async () => {
    const before = fake.requests;
    fake.failNext(500, 503);
    await provider().sendCode('+821011112222', '222222');
    expect(fake.requests - before).toBe(3);
    expect(fake.codeFor('+821011112222')).toBe('222222');

    fake.failNext(500, 502, 503);
    const error = await provider()
      .sendCode('+821011113333', '333333')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(fake.requests - before).toBe(6);
  });

  it('gives up on a gateway that does not answer, after its tries', async () => {
    const before = fake.requests;
    fake.failNext('hang', 'hang');
    await expect(
      provider({ timeoutMs: 200, tries: 2 }).sendCode('+821011114444', '444444'),
    ).rejects.toMatchObject({ kind: 'unavailable', status: undefined });
    expect(fake.requests - before).toBe(2);
    expect(fake.codeFor('+821011114444')).toBeUndefined();
  });

  it('is refused with wrong credentials (the fake really checks them)', async () => {
    const wrong = {
      twilio: { authToken: 'not-the-token' },
      sens: { secretKey: 'not-the-key' },
      http: { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` },
    }[name]!;
    await expect(provider(wrong).sendCode('+821055556666', '555555')).rejects.toMatchObject({
      kind: 'unauthorized',
      status: 401,
    });
    expect(fake.problems).toHaveLength(1);
    fake.problems.length = 0;
  });
});

describe('SMS settings', () => {
  const base: ConfigInput = { contactHashKey: TEST_CONTACT_HASH_KEY };
  it('name the credential a provider is missing, in one line', () => {
    const cases: [ConfigInput['sms'], RegExp][] = [
      [{ provider: 'twilio', authToken: 't', from: '+15005550006' }, /needs sms\.accountSid/],
      [{ provider: 'twilio', accountSid: 'AC1', from: '+15005550006' }, /sms\.authToken/],
      [{ provider: 'twilio', accountSid: 'AC1', authToken: 't' }, /exactly one sender/],
      [{ provider: 'sens', serviceId: 's', accessKey: 'a', from: '0200' }, /sms\.secretKey/],
      [{ provider: 'http', url: 'https://gw.example/sms' }, /needs sms\.secret/],
      [{ provider: 'http', url: 'https://gw.example/sms', secret: 'short' }, /whsec_/],
      [{ provider: 'http', url: 'ftp://gw', secret: `whsec_${'A'.repeat(44)}` }, /http\(s\) URL/],
      [{ provider: 'carrier-pigeon' }, /Unknown SMS provider "carrier-pigeon"/],
    ];
    for (const [sms, message] of cases) {
      expect(() => resolveConfig({ ...base, sms })).toThrow(message);
    }
  });

  it('default to the providers’ real addresses', () => {
    const twilio = resolveConfig({
      ...base,
      sms: { provider: 'twilio', accountSid: 'AC1', authToken: 't', from: '+15005550006' },
    }).sms;
    expect(twilio).toMatchObject({ baseUrl: 'https://api.twilio.com', username: 'AC1' });
    const withKey = resolveConfig({
      ...base,
      sms: {
        provider: 'twilio',
        accountSid: 'AC1',
        apiKeySid: 'SK1',
        apiKeySecret: 's',
        messagingServiceSid: 'MG1',
      },
    }).sms;
    expect(withKey).toMatchObject({ username: 'SK1', password: 's' });
    const sens = resolveConfig({
      ...base,
      sms: {
        provider: 'sens',
        serviceId: 's',
        accessKey: 'a',
        secretKey: 'k',
        from: '02-1588-0000',
      },
    }).sms;
    expect(sens).toMatchObject({ baseUrl: 'https://sens.apigw.ntruss.com', from: '0215880000' });
  });
});

describe.each(GATEWAYS)('production with %s', (_name, startFake) => {
  let fake: FakeSmsGateway;
  let s: TestServer;
  const log = capturedLog();
  const { callPublic } = testClient(() => s);

  beforeAll(async () => {
    fake = await startFake();
    s = await startTestServer({
      config: {
        mode: 'production',
        sms: { ...fake.config, timeoutMs: 10_000 },
        rateLimits: { codeRequestsPerPhone: { max: 1, windowSeconds: 3600 } },
      },
      overrides: { logger: log.logger },
    });
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
  });

  it('starts, texts a code through the gateway and signs the user in with it', async () => {
    expect(s.server.ctx.config.mode).toBe('production');
    await callPublic('auth.requestCode', { phone: '010-4000-0001' });
    const code = fake.codeFor('+821040000001');
    expect(code).toMatch(/^\d{6}$/);
    const signedIn = await callPublic('auth.signIn', { phone: '+821040000001', code });
    expect(signedIn).toMatchObject({ newUser: true, me: { phone: '+821040000001' } });
    expect(fake.problems).toEqual([]);
  });

  it('answers SMS_REJECTED for a refused number, and charges no limit for it', async () => {
    fake.refuse.add('+821040000002');
    await expect(callPublic('auth.requestCode', { phone: '+821040000002' })).rejects.toMatchObject({
      code: 'SMS_REJECTED',
      status: 400,
    });
    // The number's one request an hour is still there once the gateway takes it.
    fake.refuse.delete('+821040000002');
    await callPublic('auth.requestCode', { phone: '+821040000002' });
    expect(fake.codeFor('+821040000002')).toMatch(/^\d{6}$/);
    await expect(callPublic('auth.requestCode', { phone: '+821040000002' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });
  });

  it('tells browsers to come back over HTTPS only (HSTS), as production does', async () => {
    const answer = await fetch(new URL('/healthz', s.url));
    expect(answer.headers.get('strict-transport-security')).toMatch(/^max-age=\d{8,}/);
  });

  it('answers SMS_UNAVAILABLE when the gateway keeps failing', async () => {
    fake.failNext(500, 500, 500);
    await expect(callPublic('auth.requestCode', { phone: '+821040000003' })).rejects.toMatchObject({
      code: 'SMS_UNAVAILABLE',
      status: 503,
    });
  });

  it('never writes a credential or a code to the log', async () => {
    const written = log.lines.join('');
    expect(written).toContain('the SMS gateway refused a code');
    expect(written).toContain('the SMS gateway is unreachable');
    for (const secret of secretsOf(fake)) expect(written).not.toContain(secret);
    const codes = fake.texted.map((m) => /\d{6}/.exec(m.text)![0]);
    expect(codes.length).toBeGreaterThan(0);
    // A code as a token of its own: not the digits inside a timestamp or an id.
    for (const code of codes)
      expect(written).not.toMatch(new RegExp(`(?<![0-9a-z])${code}(?![0-9a-z])`));
  });
});

describe('production with credentials the gateway refuses', () => {
  it('answers SMS_UNAVAILABLE, logs an error naming the settings, and charges no limit', async () => {
    await using fake = await startFakeTwilio();
    const log = capturedLog();
    const s = await startTestServer({
      config: {
        mode: 'production',
        sms: { ...fake.config, authToken: 'revoked-token' },
        rateLimits: { codeRequestsPerPhone: { max: 1, windowSeconds: 3600 } },
      },
      overrides: { logger: log.logger },
    });
    try {
      const { callPublic } = testClient(() => s);
      for (let i = 0; i < 2; i++) {
        await expect(
          callPublic('auth.requestCode', { phone: '+821040000009' }),
        ).rejects.toMatchObject({ code: 'SMS_UNAVAILABLE' });
      }
      const written = log.lines.join('');
      expect(written).toContain('check the sms settings');
      expect(written).not.toContain('revoked-token');
      expect(written).not.toContain(fake.config.authToken);
    } finally {
      await s.close();
    }
  });
});
