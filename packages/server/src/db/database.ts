import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { WriteRegistry, WriteRegistrySource } from './commands.js';
import type { DatabaseSchema } from './schema.js';
import { startCheckpointer } from './checkpointer.js';
import { migrationProvider } from './migrations/index.js';
import { postgresRunner, sqliteRunner, type SqlRunner } from './sql-runner.js';
import { openSqliteReader, openSqliteWriter } from './sqlite.js';
import { WriteThread } from './write-thread.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseLocation {
  dialect: Dialect;
  /** File path for SQLite, connection URL for PostgreSQL. */
  target: string;
}

/** `sqlite:PATH` or a `postgres://` / `postgresql://` URL. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error(`No file in database URL "${url}": use sqlite:PATH`);
    return { dialect: 'sqlite', target: path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', target: url };
  throw new Error(`Unsupported database URL "${url}": use sqlite:PATH or postgres://…`);
}

export interface Database {
  dialect: Dialect;
  db: Kysely<DatabaseSchema>;
  /** Runs plain SQL inside a write transaction opened on `db` (see WriteQueue). */
  runner(trx: Kysely<DatabaseSchema>): SqlRunner;
  /**
   * Plain SQL for hot reads, outside any write: it sees only committed data (on SQLite a
   * second, read-only connection; on PostgreSQL the pool).
   */
  reader: SqlRunner;
  /** The domains' write commands and batch hooks (none if opened without). */
  registry: WriteRegistry;
  /** SQLite only: the thread that commits write commands on a connection of its own. */
  writeThread?: WriteThread;
  close(): Promise<void>;
}

// int8 (bigint) columns hold timestamps and pts, which stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface OpenOptions {
  /**
   * SQLite: run the checkpoint thread (default). Tests turn it off to see what the write thread
   * does on its own.
   */
  checkpointThread?: boolean;
  /** The write commands, batch hooks and connection setup of the domains (context.ts). */
  writes?: WriteRegistrySource;
}

const NO_WRITES: WriteRegistry = { commands: {}, hooks: [] };

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const location = parseDatabaseUrl(url);
  const registry = options.writes?.registry ?? NO_WRITES;
  let database: Database;
  if (location.dialect === 'sqlite') {
    const sqlite = openSqliteWriter(location.target, registry.prepareSqlite);
    const runner = sqliteRunner(sqlite);
    const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    const readOnly = openSqliteReader(sqlite.raw.name);
    const stopCheckpointer =
      options.checkpointThread === false
        ? async () => {}
        : startCheckpointer(sqlite.raw.name, (message) =>
            console.error(`SQLite checkpoint failed: ${message}`),
          );
    database = {
      dialect: 'sqlite',
      db,
      registry,
      // One connection: the transaction Kysely opened is the one these statements run in.
      runner: () => runner,
      reader: sqliteRunner(readOnly),
      close: async () => {
        await database.writeThread?.close();
        await stopCheckpointer();
        readOnly.close();
        await db.destroy();
      },
    };
  } else {
    const db = openPostgres(location.target);
    database = {
      dialect: 'postgres',
      db,
      registry,
      runner: (trx) => postgresRunner(trx),
      reader: postgresRunner(db),
      close: () => db.destroy(),
    };
  }
  try {
    if (location.dialect === 'postgres') await reach(database, location.target);
    await migrate(database.db);
    // After migrating, so that the thread's connection sees the schema it writes to.
    if (location.dialect === 'sqlite')
      database.writeThread = await WriteThread.start(location.target, options.writes?.module);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function openPostgres(url: string): Kysely<DatabaseSchema> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  // A client losing its connection (the server restarted, an administrator ended it) must not
  // crash the process. An idle one the pool replaces; one in use fails its query or transaction,
  // and the pool drops it when it comes back. /readyz reports a database that stays away.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}

/** A first query, so that an unreachable server is named as such, not as a failed migration. */
async function reach(database: Database, url: string): Promise<void> {
  try {
    await database.reader.get('select 1', []);
  } catch (error) {
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    throw new Error(`Cannot reach the database at ${shown.href}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function migrate(db: Kysely<DatabaseSchema>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}
