import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Message search (issue 6, docs/adr/003-search.md): an index of each message's character
 * bigrams, so that one- and two-character Korean and Japanese queries are indexed too. It follows
 * every insert and edit of `messages.text` inside the database, so no write path can forget it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await postgres(db);
  else await sqlite(db);
}

/**
 * A GIN index over the set of lower-case characters and character pairs of the text. Built by
 * SQL functions rather than pg_trgm, whose word splitting depends on the database's ctype (under
 * the C locale Hangul and kana are no word characters and get no trigrams at all).
 */
async function postgres(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function tokki_search_grams(t text) returns text[]
    language sql immutable strict parallel safe as $$
      select c || array(select a || b from unnest(c[1:cardinality(c) - 1], c[2:]) as pair(a, b))
      from (select string_to_array(lower(t), null) as c) as chars
    $$`.execute(db);
  // What a query must find among a text's grams: its one character, or each of its pairs.
  await sql`
    create function tokki_search_query_grams(q text) returns text[]
    language sql immutable strict parallel safe as $$
      select case when char_length(q) = 1 then array[lower(q)] else array(
        select substr(lower(q), i, 2) from generate_series(1, char_length(q) - 1) as i
      ) end
    $$`.execute(db);
  await sql`create index messages_search_idx on messages using gin (tokki_search_grams(text))`.execute(
    db,
  );
}

/**
 * A contentless FTS5 table keyed by the message's rowid whose document is the message's
 * character pairs, hex-encoded (messages/search-document.ts builds it, as `tokki_search_document`,
 * registered on every writing connection); detail=none, as a pair's position is never needed.
 */
async function sqlite(db: Kysely<unknown>): Promise<void> {
  await sql`
    create virtual table message_search using fts5(
      grams, tokenize = 'ascii', content = '', contentless_delete = 1, detail = none
    )`.execute(db);
  await sql`
    create trigger messages_search_insert after insert on messages
    when new.text <> '' begin
      insert into message_search (rowid, grams)
      values (new.rowid, tokki_search_document(new.text));
    end`.execute(db);
  await sql`
    create trigger messages_search_update after update of text on messages
    when new.text is not old.text begin
      delete from message_search where rowid = old.rowid;
      insert into message_search (rowid, grams)
      select new.rowid, tokki_search_document(new.text) where new.text <> '';
    end`.execute(db);
  await sql`
    create trigger messages_search_delete after delete on messages begin
      delete from message_search where rowid = old.rowid;
    end`.execute(db);
  // Messages sent before this migration.
  await sql`
    insert into message_search (rowid, grams)
    select rowid, tokki_search_document(text) from messages where text <> ''`.execute(db);
}
