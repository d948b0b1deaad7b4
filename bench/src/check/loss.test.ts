import SqliteDatabase from 'better-sqlite3';
import { startTestServer, type TestServer } from '@tokki/dev-env';
import { registerSearchFunctions } from '@tokki/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBenchDatabase, type BenchDatabase } from '../database.js';
import { InProcessGenerator } from '../generator/link.js';
import type { ScenarioContext } from '../scenarios/context.js';
import { runDirect } from '../scenarios/direct.js';
import { UserPool } from '../seed/users.js';
import { checkStored, lostCount } from './loss.js';

describe('the loss check', () => {
  let server: TestServer;
  let database: BenchDatabase;
  let ctx: ScenarioContext;

  beforeAll(async () => {
    server = await startTestServer();
    database = await openBenchDatabase(server.databaseUrl);
    ctx = {
      url: server.url,
      server: { url: server.url, pid: undefined },
      nodes: [{ url: server.url, pid: undefined }],
      busPid: undefined,
      generators: [new InProcessGenerator(0), new InProcessGenerator(1)],
      users: new UserPool(server.url, 8),
      database,
      sourceAddresses: () => ['127.0.0.1'],
      log: () => {},
      quietWaitMs: 0,
    };
  });

  afterAll(async () => {
    await Promise.all(ctx.generators.map((generator) => generator.close()));
    await database.close();
    await server.close();
  });

  it('finds nothing lost in a real run, and exactly the one row deleted afterwards', async () => {
    const { report, acked } = await runDirect(ctx, {
      pairs: 4,
      rates: [200],
      stepMs: 300,
      warmup: { ratePerSec: 100, durationMs: 100 },
      drainTimeoutMs: 5_000,
      textLength: 20,
      kneeP99Ms: 10_000,
      targetFraction: 0.7,
      retryContended: false,
    });
    expect(report.steps.map((step) => step.kind)).toEqual(['sweep', 'target']);
    expect(acked.length).toBeGreaterThan(50);
    expect(report.store).toEqual({ checked: acked.length, missing: 0, duplicated: 0, wrongSeq: 0 });
    expect(report.undelivered).toBe(0);
    expect(report.lost).toBe(0);
    for (const step of report.steps) expect(step.delivered).toBe(step.acked);

    const victim = acked[Math.floor(acked.length / 2)]!;
    const sqlite = new SqliteDatabase(server.databaseUrl.slice('sqlite:'.length));
    // The search index's triggers read the deleted message's document through this function.
    registerSearchFunctions(sqlite);
    const deleted = sqlite
      .prepare('delete from messages where chat_id = ? and seq = ?')
      .run(victim.chatId, victim.seq);
    sqlite.close();
    expect(deleted.changes).toBe(1);

    const check = await checkStored(database, acked);
    expect(check).toEqual({ checked: acked.length, missing: 1, duplicated: 0, wrongSeq: 0 });
    expect(lostCount(check, report.undelivered)).toBe(1);
  });
});
