import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase, testDialects, type TestDatabase } from '@tokki/dev-env';
import { openDatabase, type Database } from './database.js';

// Only a PostgreSQL server can cut a connection the process is holding.
describe.each(testDialects.filter((d) => d === 'postgres'))('a %s connection lost', (dialect) => {
  let test: TestDatabase | undefined;
  let database: Database | undefined;

  afterEach(async () => {
    await database?.close();
    await test?.drop();
  });

  it('fails the transaction holding it, without crashing the process, and the pool recovers', async () => {
    test = await createTestDatabase(dialect);
    database = await openDatabase(test.url);
    let cut!: () => void;
    const wasCut = new Promise<void>((resolve) => (cut = resolve));
    let started!: () => void;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    // A transaction between two statements: its connection is checked out and has no query.
    const transaction = database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      started();
      await wasCut;
      await sql`select 1`.execute(trx);
    });
    const failed = expect(transaction).rejects.toThrow(/connection|terminat|not queryable/i);
    await hasStarted;

    await terminateConnections(test.url);
    // Once the pool answers again, the terminations have reached every client it held.
    await expect
      .poll(() => database!.reader.get('select 1 as one', []).catch(() => undefined), {
        timeout: 10_000,
      })
      .toEqual({ one: 1 });
    cut();
    await failed;
    await expect(database.reader.get('select 2 as two', [])).resolves.toEqual({ two: 2 });
  });
});

async function terminateConnections(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.href });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
      [name],
    );
    expect(rowCount).toBeGreaterThan(0);
  } finally {
    await admin.end();
  }
}
