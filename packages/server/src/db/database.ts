import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from './schema.js';
import { startCheckpointer } from './checkpointer.js';
import { migrationProvider } from './migrations/index.js';
import { CachedSqlite, postgresRunner, sqliteRunner, type SqlRunner } from './sql-runner.js';

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
  close(): Promise<void>;
}

// int8 (bigint) columns hold timestamps and pts, which stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export async function openDatabase(url: string): Promise<Database> {
  const location = parseDatabaseUrl(url);
  let database: Database;
  if (location.dialect === 'sqlite') {
    const sqlite = openSqlite(location.target);
    const runner = sqliteRunner(sqlite);
    const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    const readOnly = new CachedSqlite(new SqliteDatabase(sqlite.raw.name, { readonly: true }));
    readOnly.raw.pragma('busy_timeout = 5000');
    tunePageCache(readOnly.raw);
    const stopCheckpointer = startCheckpointer(sqlite.raw.name, (message) =>
      console.error(`SQLite checkpoint failed: ${message}`),
    );
    database = {
      dialect: 'sqlite',
      db,
      // One connection: the transaction Kysely opened is the one these statements run in.
      runner: () => runner,
      reader: sqliteRunner(readOnly),
      close: async () => {
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
      runner: (trx) => postgresRunner(trx),
      reader: postgresRunner(db),
      close: () => db.destroy(),
    };
  }
  try {
    await migrate(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function openSqlite(path: string): CachedSqlite {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers run beside the writer; FULL makes every commit survive power loss.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  tunePageCache(sqlite);
  // Checkpoints run on a worker thread instead (see checkpointer.ts).
  sqlite.pragma('wal_autocheckpoint = 0');
  return new CachedSqlite(sqlite);
}

function openPostgres(url: string): Kysely<DatabaseSchema> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * SQLite's default page cache is 2 MiB: with messages spread over many chats, the writer kept
 * re-reading index pages it had just evicted. 64 MiB of cache and memory-mapped reads keep the
 * hot part of the indexes in memory.
 */
function tunePageCache(sqlite: SqliteDatabase.Database): void {
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 268435456');
}

async function migrate(db: Kysely<DatabaseSchema>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}
