import type { BatchHook } from '../db/commands.js';
import type { SqlRunner } from '../db/sql-runner.js';

/**
 * SQLite's message search index (docs/adr/003-search.md) is written once per write batch: after
 * its last job and before it commits, the hook indexes the messages after the last one indexed
 * in one set-based insert. Every write on SQLite runs in a batch, so none is missed, and the
 * index commits with the messages or not at all; one insert per batch costs a third of what a
 * trigger per row did. Triggers keep edits and
 * deletions of the messages indexed so far (`message_search_indexed`, migration 016): a message
 * sent and edited in one batch is indexed once, as committed. PostgreSQL's index is an index of
 * the table, kept by PostgreSQL itself.
 */
export const searchIndexHook: BatchHook<void> = {
  begin: async () => {},
  beforeCommit: async (sql, _state, dialect) => {
    if (dialect === 'sqlite') await indexNewMessages(sql);
  },
};

/**
 * Indexes the messages after the last one indexed, as they are now, and moves the mark: each
 * message is indexed exactly once, which the triggers' 'delete' (naming what was indexed) needs.
 */
async function indexNewMessages(sql: SqlRunner): Promise<void> {
  await sql.run(
    `insert into message_search (rowid, grams)
     select rowid, tokki_search_document(text) from messages
     where rowid > (select through from message_search_indexed) and text <> ''`,
    [],
  );
  await sql.run(
    `update message_search_indexed set through = (select max(rowid) from messages)
     where through < (select coalesce(max(rowid), 0) from messages)`,
    [],
  );
}
