import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Deleted means deleted (issue 15):
 * - `files.message_seq`: the message that carries a file, so that deleting the message deletes
 *   the file, and an upload never sent can be told apart and collected;
 * - `chat_updates.about_seq`: the message an edit, deletion, reaction or pin is about, so that
 *   a deletion finds the edits that hold its text, and a member who joined after the message
 *   never receives them;
 * - SQLite's search index erases an edited or deleted text's grams from its pages at once.
 *   A `contentless_delete` FTS5 table only marks a row deleted and keeps its terms until a merge
 *   rewrites that segment (months, for an old one): readable in the database file. A contentless
 *   table told the old document (the 'delete' command) with `secure-delete` on removes them.
 *   The 'delete' command must name exactly what was indexed, so the triggers only run for rows the
 *   batch hook has indexed (messages/search-index.ts): those up to `message_search_indexed`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.alterTable('files').addColumn('message_seq', 'integer').execute();
  await db.schema.alterTable('chat_updates').addColumn('about_seq', 'integer').execute();
  // Files sent before this migration belong to the message whose `files` lists them.
  if (postgres) {
    await sql`
      update files f set message_seq = m.seq
      from messages m, json_array_elements(m.files::json) as j
      where m.chat_id = f.chat_id and m.files is not null and j->>'id' = f.id`.execute(db);
    await sql`
      update chat_updates set about_seq = (payload::json->>'seq')::int
      where payload::json->>'kind' in ('message.edited', 'message.deleted', 'message.reacted', 'chat.pinned')
        and payload::json->>'seq' is not null`.execute(db);
  } else {
    await sql`
      update files set message_seq = (
        select m.seq from messages m, json_each(m.files) as j
        where m.chat_id = files.chat_id and json_extract(j.value, '$.id') = files.id
      )`.execute(db);
    await sql`
      update chat_updates set about_seq = json_extract(payload, '$.seq')
      where json_extract(payload, '$.kind') in ('message.edited', 'message.deleted', 'message.reacted', 'chat.pinned')`.execute(
      db,
    );
    await rebuildSqliteSearch(db);
  }
  // The collector's question: uploads never sent, oldest first.
  await sql`create index files_unsent_idx on files (created_at) where message_seq is null`.execute(
    db,
  );
}

async function rebuildSqliteSearch(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger messages_search_update`.execute(db);
  await sql`drop trigger messages_search_delete`.execute(db);
  await sql`drop table message_search`.execute(db);
  await sql`
    create virtual table message_search using fts5(
      grams, tokenize = 'ascii', content = '', detail = none
    )`.execute(db);
  await sql`insert into message_search (message_search, rank) values ('secure-delete', 1)`.execute(
    db,
  );
  // The newest message the batch hook indexed: later ones it indexes, text as committed.
  await sql`create table message_search_indexed (through integer not null)`.execute(db);
  await sql`insert into message_search_indexed (through) select coalesce(max(rowid), 0) from messages`.execute(
    db,
  );
  await sql`
    insert into message_search (rowid, grams)
    select rowid, tokki_search_document(text) from messages where text <> ''`.execute(db);
  await sql`
    create trigger messages_search_update after update of text on messages
    when new.text is not old.text
      and old.rowid <= (select through from message_search_indexed) begin
      insert into message_search (message_search, rowid, grams)
      select 'delete', old.rowid, tokki_search_document(old.text) where old.text <> '';
      insert into message_search (rowid, grams)
      select new.rowid, tokki_search_document(new.text) where new.text <> '';
    end`.execute(db);
  await sql`
    create trigger messages_search_delete after delete on messages
    when old.text <> '' and old.rowid <= (select through from message_search_indexed) begin
      insert into message_search (message_search, rowid, grams)
      values ('delete', old.rowid, tokki_search_document(old.text));
    end`.execute(db);
}
