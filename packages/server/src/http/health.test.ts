import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  RawSocket,
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
} from '@tokki/dev-env';

describe.each(testDialects)('health, readiness and metrics on %s', (dialect) => {
  let s: TestServer;
  const get = (path: string) => fetch(`${s.url}${path}`);
  const { call } = testClient(() => s);

  beforeAll(async () => {
    s = await startTestServer({ dialect, config: { metrics: { listen: '127.0.0.1:0' } } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is alive and ready while its database and bus answer', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ ok: true });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', bus: 'ok' } });
  });

  it('counts connections, messages, deliveries, commits and catch-ups', async () => {
    const metric = async (name: string) => {
      const text = await (await fetch(`${s.server.metricsUrl!}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    const [alice, bob] = await Promise.all([signInTestUser(s.url, 1), signInTestUser(s.url, 2)]);
    const chat = await call('chats.createDirect', { userId: bob.userId }, alice);
    const bobLive = await RawSocket.connect(s.url, bob.token);
    expect(await metric('tokki_connections')).toBe(1);
    expect(await metric('tokki_catch_ups_total{mode="reload"}')).toBe(1);
    const sentBefore = (await metric('tokki_messages_sent_total'))!;
    const deliveredBefore = (await metric('tokki_updates_delivered_total'))!;
    await call('messages.send', { chatId: chat.id, clientMsgId: 'm', text: 'hi' }, alice);
    await bobLive.waitFor((f) => f.type === 'update');
    expect(await metric('tokki_messages_sent_total')).toBe(sentBefore + 1);
    expect(await metric('tokki_updates_delivered_total')).toBe(deliveredBefore + 1);
    expect(await metric('tokki_delivery_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metric('tokki_db_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metric('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(await metric('tokki_bus_round_trip_seconds')).toBe(0);
    bobLive.close();
    await bobLive.waitForClose();
    await expect.poll(() => metric('tokki_connections')).toBe(0);
  });
});

// A database that stops answering can be staged on PostgreSQL (an embedded SQLite file cannot).
describe.each(testDialects.filter((d) => d === 'postgres'))('readiness on %s', (dialect) => {
  let s: TestServer;
  const get = (path: string) => fetch(`${s.url}${path}`);

  beforeAll(async () => {
    s = await startTestServer({ dialect });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is not ready while its database refuses connections, and ready again once it is back', async () => {
    const url = new URL(s.databaseUrl);
    const name = url.pathname.slice(1);
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.href });
    await admin.connect();
    try {
      await admin.query(`alter database "${name}" allow_connections false`);
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
      await expect.poll(async () => (await get('/readyz')).status, { timeout: 10_000 }).toBe(503);
      expect(await (await get('/readyz')).json()).toEqual({
        ready: false,
        checks: { database: 'unreachable', bus: 'ok' },
      });
      expect((await get('/healthz')).status).toBe(200);
    } finally {
      await admin.query(`alter database "${name}" allow_connections true`);
      await admin.end();
    }
    await expect.poll(async () => (await get('/readyz')).status, { timeout: 10_000 }).toBe(200);
  });
});
