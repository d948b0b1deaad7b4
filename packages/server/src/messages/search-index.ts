import type { BatchHook } from '../db/commands.js';
import type { SqlRunner } from '../db/sql-runner.js';

/**
 * SQLite's message search index (docs/adr/003-search.md) is written once per write batch: the
 * hook notes the newest message's rowid when the batch begins and, after its last job and before
 * it commits, indexes the messages after it in one set-based insert. Every write on SQLite runs
 * in a batch, so none is missed, and the index commits with the messages or not at all; one
 * insert per batch costs a third of what a trigger per row did. Triggers keep edits and
 * deletions. PostgreSQL's index is an index of the table, kept by PostgreSQL itself.
 */
export const searchIndexHook: BatchHook<number> = {
  begin: async (sql, dialect) => (dialect === 'sqlite' ? lastMessageRowid(sql) : 0),
  beforeCommit: async (sql, afterRowid, dialect) => {
    if (dialect === 'sqlite') await indexMessagesAfter(sql, afterRowid);
  },
};

async function lastMessageRowid(sql: SqlRunner): Promise<number> {
  const row = await sql.get<{ rowid: number | null }>(
    'select max(rowid) as rowid from messages',
    [],
  );
  return Number(row?.rowid ?? 0);
}

async function indexMessagesAfter(sql: SqlRunner, afterRowid: number): Promise<void> {
  await sql.run(
    `insert into message_search (rowid, grams)
     select rowid, tokki_search_document(text) from messages where rowid > ? and text <> ''`,
    [afterRowid],
  );
}
