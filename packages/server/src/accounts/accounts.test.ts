import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  RawSocket,
  signInTestUser,
  startTestServer,
  TEST_CONTACT_HASH_KEY,
  testClient,
  testDialects,
  testPhone,
  type TestServer,
} from '@tokki/dev-env';
import { CLOSE_CODES } from '@tokki/protocol';
import { resolveConfig, resolveContactHashKey } from '../config.js';
import { startServer } from '../server.js';
import type { SmsProvider } from './sms.js';
import { normalizePhone } from './phone.js';

const KEY = 'ab'.repeat(32);

/** Captures what would be texted, so tests can read real (non-test-number) codes. */
class RecordingSmsProvider implements SmsProvider {
  readonly name = 'recording';
  readonly sent = new Map<string, string>();
  async sendCode(phone: string, code: string) {
    this.sent.set(phone, code);
  }
}

describe('phone numbers', () => {
  it('normalises to E.164 with Korea as the default region', () => {
    expect(normalizePhone('010-1234-5678', false).e164).toBe('+821012345678');
    expect(normalizePhone('+1 (415) 555-2671', false).e164).toBe('+14155552671');
    expect(normalizePhone('+81 90-1234-5678', false).e164).toBe('+819012345678');
  });
  it('knows test numbers only when they are allowed', () => {
    expect(normalizePhone('+99966 3 0042', true)).toEqual({
      e164: '+9996630042',
      testCode: '33333',
    });
    expect(() => normalizePhone('+9996630042', false)).toThrow(
      expect.objectContaining({ code: 'PHONE_INVALID' }),
    );
    expect(() => normalizePhone('hello', true)).toThrow(
      expect.objectContaining({ code: 'PHONE_INVALID' }),
    );
  });
});

describe('modes', () => {
  it('refuses production mode with the console SMS provider', () => {
    expect(() => resolveConfig({ mode: 'production' })).toThrow(/real SMS provider/);
    expect(resolveConfig({ contactHashKey: KEY }).mode).toBe('local');
  });
});

describe('the contact-hash key', () => {
  const env = process.env.TOKKI_CONTACT_HASH_KEY;
  beforeEach(() => delete process.env.TOKKI_CONTACT_HASH_KEY);
  afterEach(() => {
    if (env === undefined) delete process.env.TOKKI_CONTACT_HASH_KEY;
    else process.env.TOKKI_CONTACT_HASH_KEY = env;
  });

  it('is written once to the data directory in local mode, and kept', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokki-key-'));
    try {
      const first = resolveConfig({ dataDir }).contactHashKey;
      expect(first).toHaveLength(32);
      expect(resolveConfig({ dataDir }).contactHashKey).toEqual(first);
      expect((await stat(join(dataDir, 'contact-hash.key'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true });
    }
  });

  it('comes from the environment or config, is long enough, and is required in production', () => {
    process.env.TOKKI_CONTACT_HASH_KEY = KEY;
    expect(resolveConfig({}).contactHashKey.toString('hex')).toBe(KEY);
    expect(() => resolveConfig({ contactHashKey: 'abcd' })).toThrow(/64 hex digits/);
    delete process.env.TOKKI_CONTACT_HASH_KEY;
    expect(() => resolveContactHashKey(undefined, 'production', '/nonexistent')).toThrow(
      /TOKKI_CONTACT_HASH_KEY/,
    );
  });
});

describe.each(testDialects)('sign-in on %s', (dialect) => {
  let s: TestServer;
  const sms = new RecordingSmsProvider();
  const { call, callPublic, live, update, closeSockets } = testClient(() => s);

  beforeAll(async () => {
    s = await startTestServer({ dialect, overrides: { sms } });
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('signs in with a texted 6-digit code, once', async () => {
    const requested = await callPublic('auth.requestCode', { phone: '010-2000-0001' });
    expect(requested).toEqual({ phone: '+821020000001', codeLength: 6, expiresInSeconds: 300 });
    const code = sms.sent.get('+821020000001')!;
    expect(code).toMatch(/^\d{6}$/);
    const first = await callPublic('auth.signIn', {
      phone: '+82 10 2000 0001',
      code,
      displayName: '민지',
    });
    expect(first).toMatchObject({
      newUser: true,
      me: { displayName: '민지', phone: '+821020000001' },
    });
    await expect(callPublic('auth.signIn', { phone: '+821020000001', code })).rejects.toMatchObject(
      {
        code: 'CODE_INVALID',
      },
    );

    // Signing in again is a second device of the same account.
    await callPublic('auth.requestCode', { phone: '+821020000001' });
    const second = await callPublic('auth.signIn', {
      phone: '+821020000001',
      code: sms.sent.get('+821020000001'),
    });
    expect(second).toMatchObject({ newUser: false, me: { id: first.me.id } });
    expect(second.deviceId).not.toBe(first.deviceId);
  });

  it('allows five attempts, then refuses even the right code', async () => {
    await callPublic('auth.requestCode', { phone: '+821020000002' });
    const code = sms.sent.get('+821020000002')!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      await expect(
        callPublic('auth.signIn', { phone: '+821020000002', code: wrong }),
      ).rejects.toMatchObject({ code: 'CODE_INVALID' });
    }
    await expect(callPublic('auth.signIn', { phone: '+821020000002', code })).rejects.toMatchObject(
      {
        code: 'CODE_ATTEMPTS_EXCEEDED',
        status: 429,
      },
    );
    await expect(callPublic('auth.signIn', { phone: '+821020000002', code })).rejects.toMatchObject(
      {
        code: 'CODE_INVALID',
      },
    );
  });

  it('expires codes after five minutes', async () => {
    await callPublic('auth.requestCode', { phone: '+821020000003' });
    // Five minutes pass.
    await s.server.ctx.database.db
      .updateTable('verification_codes')
      .set((eb) => ({ expires_at: eb('expires_at', '-', 300_000) }))
      .where('phone', '=', '+821020000003')
      .execute();
    await expect(
      callPublic('auth.signIn', { phone: '+821020000003', code: sms.sent.get('+821020000003') }),
    ).rejects.toMatchObject({ code: 'CODE_EXPIRED' });
  });

  it('rate-limits code requests per number and per address', async () => {
    const limited = await startTestServer({
      dialect,
      overrides: { sms },
      config: {
        rateLimits: {
          codeRequestsPerPhone: { max: 3, windowSeconds: 3600 },
          codeRequestsPerIp: { max: 5, windowSeconds: 3600 },
        },
      },
    });
    const request = (phone: string) =>
      testClient(() => limited).callPublic('auth.requestCode', { phone });
    try {
      for (let i = 0; i < 3; i++) await request('+821030000001');
      await expect(request('+821030000001')).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        status: 429,
      });
      await request('+821030000002');
      await request('+821030000003');
      // The address has made 5 requests: a sixth, for a fresh number, is refused.
      await expect(request('+821030000004')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      expect(sms.sent.has('+821030000004')).toBe(false);
      // Test numbers send no SMS, so the address limit does not apply to them.
      expect((await signInTestUser(limited.url, 77)).token).toBeTruthy();
    } finally {
      await limited.close();
    }
  });

  describe('sign-in abuse', () => {
    const DAY = 24 * 3600;
    let limited: TestServer;
    const request = (phone: string) =>
      testClient(() => limited).callPublic('auth.requestCode', { phone });
    const signIn = (phone: string, code: string | undefined) =>
      testClient(() => limited).callPublic('auth.signIn', { phone, code });
    const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

    beforeAll(async () => {
      limited = await startTestServer({
        dialect,
        overrides: { sms },
        config: {
          rateLimits: {
            codeRequestsPerPhone: { max: 100, windowSeconds: 3600 },
            codeRequestsPerPhoneDaily: { max: 4, windowSeconds: DAY },
            codeRequestsPerIp: { max: 1000, windowSeconds: 3600 },
            codeRequestsPerIpDaily: { max: 1000, windowSeconds: DAY },
            wrongCodesPerPhoneDaily: { max: 7, windowSeconds: DAY },
          },
        },
      });
    });
    afterAll(() => limited?.close());

    it('a new code request leaves the pending code valid, up to a few at once', async () => {
      await request('+821050000001');
      const first = sms.sent.get('+821050000001')!;
      // Someone else asks for a code for the same number meanwhile: the first still works.
      await request('+821050000001');
      expect(sms.sent.get('+821050000001')).not.toBe(first);
      expect(await signIn('+821050000001', first)).toMatchObject({ newUser: true });

      await request('+821050000002');
      const mine = sms.sent.get('+821050000002')!;
      await request('+821050000002');
      await request('+821050000002');
      // Three pending: a fourth waits for the oldest to expire, and voids none of them.
      await expect(request('+821050000002')).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        retryAfter: expect.toSatisfy((s: number) => s > 0 && s <= 300),
      });
      expect(await signIn('+821050000002', mine)).toMatchObject({ newUser: true });
    });

    it('caps code requests per number per day, on top of the hourly cap', async () => {
      for (let i = 0; i < 3; i++) await request('+821050000003');
      await signIn('+821050000003', sms.sent.get('+821050000003'));
      await request('+821050000003');
      await expect(request('+821050000003')).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        retryAfter: expect.toSatisfy((s: number) => s > 3600 && s <= DAY),
      });
    });

    it('caps wrong codes per number per day, across its codes', async () => {
      await request('+821050000004');
      const first = sms.sent.get('+821050000004')!;
      for (let i = 0; i < 4; i++) {
        await expect(signIn('+821050000004', wrongFor(first))).rejects.toMatchObject({
          code: 'CODE_INVALID',
        });
      }
      // A fresh code does not give a fresh allowance of guesses.
      await request('+821050000004');
      const second = sms.sent.get('+821050000004')!;
      for (let i = 0; i < 3; i++) {
        await signIn('+821050000004', wrongFor(second)).catch(() => undefined);
      }
      await expect(signIn('+821050000004', second)).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        retryAfter: expect.toSatisfy((s: number) => s > 3600 && s <= DAY),
      });
    });

    it('keys per-address limits by the address, an IPv6 one by its /64', async () => {
      const accounts = limited.server.ctx.accounts;
      await accounts.requestCode({ phone: '+821050000005' }, '2001:db8:7:9::1');
      await accounts.requestCode({ phone: '+821050000006' }, '2001:db8:7:9:ffff:1:2:3');
      await accounts.requestCode({ phone: '+821050000007' }, '::ffff:203.0.113.7');
      const rows = await limited.server.ctx.database.db
        .selectFrom('rate_limits')
        .select(['key', 'count'])
        .where('key', 'like', 'code:ip:%')
        .where('key', '!=', 'code:ip:127.0.0.1')
        .orderBy('key')
        .execute();
      expect(rows).toEqual([
        { key: 'code:ip:2001:db8:7:9::/64', count: 2 },
        { key: 'code:ip:203.0.113.7', count: 1 },
      ]);
    });

    it('prunes expired codes and rate-limit windows, and keeps live ones', async () => {
      await request('+821050000008');
      await request('+821050000009');
      const { db } = limited.server.ctx.database;
      // A day passes for one number only.
      const past = Date.now() - DAY * 1000 - 1000;
      await db
        .updateTable('verification_codes')
        .set({ expires_at: past })
        .where('phone', '=', '+821050000008')
        .execute();
      await db
        .updateTable('rate_limits')
        .set({ window_start: past - 3600_000, expires_at: past })
        .where('key', 'like', '%+821050000008')
        .execute();
      await limited.server.prune();
      const codes = await db.selectFrom('verification_codes').select('phone').execute();
      expect(codes.map((row) => row.phone)).not.toContain('+821050000008');
      expect(codes.map((row) => row.phone)).toContain('+821050000009');
      const windows = await db.selectFrom('rate_limits').select('key').execute();
      expect(windows.map((row) => row.key).filter((key) => key.endsWith('0008'))).toEqual([]);
      expect(windows.map((row) => row.key)).toContain('code:phone:+821050000009');
    });
  });

  it('rejects malformed and unknown phone numbers', async () => {
    await expect(callPublic('auth.requestCode', { phone: '12' })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await expect(callPublic('auth.requestCode', { phone: 'not a number' })).rejects.toMatchObject({
      code: 'PHONE_INVALID',
    });
    await expect(
      callPublic('auth.signIn', { phone: testPhone(9).phone, code: '99999' }),
    ).rejects.toMatchObject({
      code: 'CODE_INVALID',
    });
  });

  it('refuses forged tokens and stops a revoked device at once, on HTTP and WebSocket', async () => {
    const phone = await signInTestUser(s.url, 10, { deviceName: 'phone' });
    const laptop = await signInTestUser(s.url, 10, { deviceName: 'laptop' });
    for (const token of [
      '',
      'nonsense',
      `${laptop.deviceId}.forged`,
      `d_nosuchdevice.${'a'.repeat(43)}`,
    ]) {
      await expect(call('profile.get', {}, { ...laptop, token })).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        status: 401,
      });
    }
    const devices = await call('devices.list', {}, phone);
    expect(devices.devices.map((d) => [d.name, d.current])).toEqual([
      ['phone', true],
      ['laptop', false],
    ]);

    const socket = await live(laptop);
    const closed = socket.waitForClose();
    await call('devices.revoke', { deviceId: laptop.deviceId }, phone);
    expect(await closed).toBe(CLOSE_CODES.TOKEN_REVOKED);
    await expect(call('profile.get', {}, laptop)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const again = await RawSocket.open(s.url);
    expect((await again.request('connect', { token: laptop.token })).error?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect(await again.waitForClose()).toBe(CLOSE_CODES.UNAUTHENTICATED);

    // Nobody revokes someone else's device.
    const other = await signInTestUser(s.url, 11);
    await expect(call('devices.revoke', { deviceId: phone.deviceId }, other)).rejects.toMatchObject(
      {
        code: 'NOT_FOUND',
      },
    );
    expect(await call('profile.get', {}, phone)).toMatchObject({ id: phone.userId });

    await call('auth.signOut', {}, phone);
    await expect(call('profile.get', {}, phone)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('expires a token that was not used for the idle timeout', async () => {
    const idle = await signInTestUser(s.url, 13);
    const active = await signInTestUser(s.url, 13);
    // Half a year passes for one device only (and the server forgets what it cached).
    await s.server.ctx.database.db
      .updateTable('devices')
      .set({ last_seen_at: Date.now() - 184 * 24 * 3600 * 1000 })
      .where('id', '=', idle.deviceId)
      .execute();
    const restarted = await startServer({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      databaseUrl: s.databaseUrl,
      contactHashKey: TEST_CONTACT_HASH_KEY,
    });
    const restartedClient = testClient(() => restarted);
    try {
      await expect(restartedClient.call('profile.get', {}, idle)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        message: expect.stringContaining('idle'),
      });
      expect(await restartedClient.call('profile.get', {}, active)).toMatchObject({
        id: active.userId,
      });
    } finally {
      await restarted.close();
    }
  });

  it('updates the profile and tells the user’s other devices', async () => {
    const a = await signInTestUser(s.url, 12);
    const b = await signInTestUser(s.url, 12);
    const socket = await live(b);
    const me = await call('profile.update', { displayName: ' Jun ', statusMessage: '休み中' }, a);
    expect(me).toMatchObject({ displayName: 'Jun', statusMessage: '休み中' });
    const frame = await update(socket, 'profile.updated');
    expect(frame.update).toEqual({
      kind: 'profile.updated',
      user: { id: a.userId, displayName: 'Jun', statusMessage: '休み中', photo: null },
    });
    await expect(call('profile.update', { displayName: '  ' }, a)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
  });
});
