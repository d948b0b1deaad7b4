// How long a node trusts a device token it checked, and what makes it check again: a revocation
// heard on the bus, a read that raced one, a minute passing, or the bus lost and found again.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import type { QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  shouldTestNats,
  shouldTestPostgres,
  signInTestUser,
  startNats,
  startTestServer,
  testClient,
  testDialects,
  type RunningNats,
  type TestServer,
} from '@tokki/dev-env';
import * as store from './store.js';

/**
 * Holds the result of the next read of the devices table: the read has run (it saw the device as
 * it was then) and its answer waits until `release`.
 */
class HoldDeviceRead implements KyselyPlugin {
  private readonly held = new Set<unknown>();
  private releaseHeld: () => void = () => {};
  private readonly releasing = new Promise<void>((resolve) => (this.releaseHeld = resolve));
  private signalRead: () => void = () => {};
  /** Resolves once a read of the devices table has run and is being held. */
  readonly reading = new Promise<void>((resolve) => (this.signalRead = resolve));
  private armed = true;

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (
      this.armed &&
      node.kind === 'SelectQueryNode' &&
      JSON.stringify(node.from).includes('"devices"')
    ) {
      this.armed = false;
      this.held.add(queryId);
    }
    return node;
  }

  async transformResult({
    result,
    queryId,
  }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.held.delete(queryId)) return result;
    this.signalRead();
    await this.releasing;
    return result;
  }

  release(): void {
    this.releaseHeld();
  }
}

describe.each(testDialects)('device token checks on %s', (dialect) => {
  let s: TestServer;
  /** How far the server's clock is moved ahead of the real one. */
  let ahead = 0;
  const { call } = testClient(() => s);

  beforeAll(async () => {
    s = await startTestServer({ dialect, overrides: { clock: () => Date.now() + ahead } });
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(() => {
    ahead = 0;
  });

  // PostgreSQL only, where nodes share the database (and so race): on SQLite the held read keeps
  // the one connection, which the revocation would wait for.
  if (dialect === 'postgres')
    it('cannot bring back a revoked token when its cache miss raced the revocation', async () => {
      const { ctx } = s.server;
      const phone = await signInTestUser(s.url, 1);
      const laptop = await signInTestUser(s.url, 1);
      const hold = new HoldDeviceRead();
      const unheld = ctx.database.db;
      ctx.database.db = unheld.withPlugin(hold);
      try {
        // The laptop's token is not cached yet: the check reads the device, which is still valid.
        const racing = ctx.accounts.authenticate(laptop.token).then(
          () => 'accepted',
          (error: { code?: string }) => error.code,
        );
        await hold.reading;
        // While that read's answer is on its way, the phone revokes the laptop.
        await ctx.accounts.revokeDevice(
          { userId: phone.userId, deviceId: phone.deviceId },
          { deviceId: laptop.deviceId },
        );
        hold.release();
        // The racing check may answer as of its read, but must not keep what it read.
        expect(['accepted', 'UNAUTHENTICATED']).toContain(await racing);
      } finally {
        ctx.database.db = unheld;
      }
      await expect(ctx.accounts.authenticate(laptop.token)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      await expect(call('devices.list', {}, laptop)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      // The phone was not touched.
      expect((await call('devices.list', {}, phone)).devices).toHaveLength(1);
    });

  it('trusts a cached token for at most a minute: a revocation it never heard of counts then', async () => {
    const { ctx } = s.server;
    const phone = await signInTestUser(s.url, 2);
    await call('devices.list', {}, phone); // cached
    // Revoked in the database by a write whose bus message this node never gets.
    await ctx.writes.run((w) => store.revokeDevice(w.db, phone.userId, phone.deviceId, w.now));
    // Within the minute the cached check may still answer…
    ahead = 59_000;
    await call('devices.list', {}, phone);
    // …after it, the database decides.
    ahead = 61_000;
    await expect(call('devices.list', {}, phone)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('rejects malformed and unknown tokens without caching anything', async () => {
    const { ctx } = s.server;
    for (const token of ['', 'no-dot', '.secret', 'device.', 'd_unknown.secret']) {
      await expect(ctx.accounts.authenticate(token)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    const phone = await signInTestUser(s.url, 3);
    const forged = `${phone.deviceId}.${'A'.repeat(43)}`;
    await expect(ctx.accounts.authenticate(forged)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    // The real token still works after a forged one for the same device.
    await expect(ctx.accounts.authenticate(phone.token)).resolves.toMatchObject({
      deviceId: phone.deviceId,
    });
  });
});

const CLUSTER = shouldTestPostgres() && shouldTestNats();

describe.skipIf(!CLUSTER)('a node that lost the bus', { timeout: 60_000 }, () => {
  let nats: RunningNats;
  let a: TestServer;
  let b: TestServer;
  const onB = testClient(() => b);

  beforeAll(async () => {
    nats = await startNats();
    a = await startTestServer({ dialect: 'postgres', config: { busUrl: nats.url } });
    b = await startTestServer({ sharing: a, config: { busUrl: nats.url } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await nats?.stop();
  });

  it('drops its cached tokens when it is back: revocations it missed count at once', async () => {
    const phone = await signInTestUser(a.url, 7);
    const tablet = await signInTestUser(b.url, 7);
    await onB.call('devices.list', {}, tablet); // node B caches the tablet's token

    await nats.stop();
    await expect.poll(() => b.server.ctx.bus.isReady(), { timeout: 20_000 }).toBe(false);
    // Revoked while the bus is down: node B cannot hear of it (written as node A would, whose
    // bus message goes nowhere).
    await a.server.ctx.writes.run((w) =>
      store.revokeDevice(w.db, phone.userId, tablet.deviceId, w.now),
    );
    await nats.restart();
    await expect.poll(() => b.server.ctx.bus.isReady(), { timeout: 20_000 }).toBe(true);
    await expect(onB.call('devices.list', {}, tablet)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect((await onB.call('devices.list', {}, phone)).devices).toHaveLength(1);
  });
});
