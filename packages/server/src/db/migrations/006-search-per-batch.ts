import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * SQLite: new messages are indexed for search once per batch, by one set-based insert before the
 * batch commits (db/batch.ts), instead of by a trigger per row — the trigger tripled the cost of
 * indexing a message (docs/adr/003-search.md). Edits and deletions keep their triggers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await sql`drop trigger messages_search_insert`.execute(db);
}
