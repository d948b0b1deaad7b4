import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';

/**
 * Plain parameterised SQL for the hot write path, where building queries with Kysely costs more
 * than running them. Statements are written once with `?` placeholders, in SQL both dialects
 * read the same way; on SQLite they run as cached prepared statements on the connection that
 * holds the write transaction, on PostgreSQL through that transaction's client.
 */
export interface SqlRunner {
  get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  run(sql: string, params: readonly unknown[]): Promise<number>;
}

const STATEMENT_CACHE_MAX = 500;

/** better-sqlite3 with a prepared-statement cache, for Kysely's dialect and for SqlRunner. */
export class CachedSqlite {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly raw: BetterSqlite3.Database) {}

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Most queries repeat; the odd one-off (an IN list of some length) may push others out.
      if (this.statements.size >= STATEMENT_CACHE_MAX) this.statements.clear();
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.raw.close();
  }
}

export function sqliteRunner(sqlite: CachedSqlite): SqlRunner {
  return {
    get: async <T>(sql: string, params: readonly unknown[]) =>
      sqlite.prepare(sql).get(...params) as T | undefined,
    all: async <T>(sql: string, params: readonly unknown[]) =>
      sqlite.prepare(sql).all(...params) as T[],
    run: async (sql: string, params: readonly unknown[]) =>
      Number(sqlite.prepare(sql).run(...params).changes),
  };
}

const numbered = new Map<string, string>();

/** `?` → `$1, $2, …`, once per statement text. */
function toPostgres(sql: string): string {
  let converted = numbered.get(sql);
  if (converted === undefined) {
    let n = 0;
    converted = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, converted);
  }
  return converted;
}

export function postgresRunner<DB>(db: Kysely<DB>): SqlRunner {
  const execute = <T>(sql: string, params: readonly unknown[]) =>
    db.executeQuery<T>(CompiledQuery.raw(toPostgres(sql), [...params]));
  return {
    get: async <T>(sql: string, params: readonly unknown[]) =>
      (await execute<T>(sql, params)).rows[0],
    all: async <T>(sql: string, params: readonly unknown[]) => (await execute<T>(sql, params)).rows,
    run: async (sql: string, params: readonly unknown[]) =>
      Number((await execute(sql, params)).numAffectedRows ?? 0n),
  };
}
