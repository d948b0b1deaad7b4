import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CachedSqlite } from './sql-runner.js';

/**
 * A writing connection to the database file, set up the same way on the event loop (migrations
 * and the writes that are still closures) and on the write thread (commands); `prepare` adds what
 * the domains' triggers need (WriteRegistry.prepareSqlite).
 */
export function openSqliteWriter(
  path: string,
  prepare?: (sqlite: SqliteDatabase.Database) => void,
): CachedSqlite {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers run beside the writer; FULL makes every commit survive power loss.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Deleted means deleted: what a write removes or overwrites (a message's text) is zeroed in
  // the pages it writes anyway, not left readable in the file. FAST costs no extra I/O.
  sqlite.pragma('secure_delete = fast');
  tunePageCache(sqlite);
  // Checkpoints run on a worker thread instead (see checkpointer.ts and write-thread-worker.ts).
  sqlite.pragma('wal_autocheckpoint = 0');
  // When the WAL starts over, a file grown past 64 MiB is cut back to that; below it, the blocks
  // stay allocated, so commits overwrite them rather than grow the file.
  sqlite.pragma('journal_size_limit = 67108864');
  prepare?.(sqlite);
  return new CachedSqlite(sqlite);
}

export function openSqliteReader(path: string): CachedSqlite {
  const sqlite = new SqliteDatabase(path, { readonly: true });
  sqlite.pragma('busy_timeout = 5000');
  tunePageCache(sqlite);
  return new CachedSqlite(sqlite);
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
