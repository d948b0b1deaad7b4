import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '@tokki/dev-env';
import { registerSearchFunctions, searchDocument } from '../../messages/search-document.js';
import { migrationProvider } from './index.js';

/** Migration 016 over a database that already holds messages, files and edits. */
describe.each(testDialects)('migration 016 on %s with data', (dialect) => {
  let test: TestDatabase | undefined;
  let db: Kysely<unknown> | undefined;

  afterEach(async () => {
    await db?.destroy();
    await test?.drop();
  });

  const open = (url: string): Kysely<unknown> => {
    if (dialect === 'postgres')
      return new Kysely({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
      });
    const sqlite = new SqliteDatabase(url.slice('sqlite:'.length));
    registerSearchFunctions(sqlite);
    return new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  };

  it('finds which message carries each file and what each update is about, and keeps search working', async () => {
    test = await createTestDatabase(dialect);
    db = open(test.url);
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('015-sign-in-codes')).error).toBeUndefined();
    await sql`insert into users (id, phone, display_name, status_message, created_at)
      values ('u1', '+821000000001', 'A', '', 0)`.execute(db);
    await sql`insert into chats (id, kind, title, last_seq, last_pts, last_activity_at, member_count, created_at)
      values ('c1', 'group', 't', 2, 3, 0, 1, 0)`.execute(db);
    const files = JSON.stringify([{ id: 'f1' }, { id: 'f2' }]);
    await sql`insert into messages (chat_id, seq, sender_id, client_msg_id, text, created_at, pts, files)
      values ('c1', 1, 'u1', 'k1', '옛글 뷁퓉', 0, 1, ${files}),
             ('c1', 2, 'u1', 'k2', 'plain', 0, 2, null)`.execute(db);
    for (const id of ['f1', 'f2', 'f3'])
      await sql`insert into files (id, chat_id, uploader_id, name, mime, kind, size, sha256, original_size, created_at)
        values (${id}, 'c1', 'u1', 'a', 'text/plain', 'file', 1, 'x', 1, 0)`.execute(db);
    const edited = JSON.stringify({
      kind: 'message.edited',
      chatId: 'c1',
      seq: 1,
      text: 'x',
      editedAt: 1,
    });
    const read = JSON.stringify({ kind: 'chat.read', chatId: 'c1', userId: 'u1', readSeq: 2 });
    await sql`insert into chat_updates (pts, chat_id, payload, created_at)
      values (3, 'c1', ${edited}, 0), (4, 'c1', ${read}, 0)`.execute(db);
    if (dialect === 'sqlite')
      await sql`insert into message_search (rowid, grams)
        select rowid, tokki_search_document(text) from messages`.execute(db);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const carried = await sql<{ id: string; message_seq: number | null }>`
      select id, message_seq from files order by id`.execute(db);
    expect(carried.rows).toEqual([
      { id: 'f1', message_seq: 1 },
      { id: 'f2', message_seq: 1 },
      { id: 'f3', message_seq: null },
    ]);
    const about = await sql<{ pts: number; about_seq: number | null }>`
      select pts, about_seq from chat_updates order by pts`.execute(db);
    expect(about.rows.map((r) => [Number(r.pts), r.about_seq])).toEqual([
      [3, 1],
      [4, null],
    ]);
    if (dialect === 'sqlite') {
      // The old message is still found; once deleted, its grams leave the index's pages.
      const pair = searchDocument('뷁퓉').split(' ')[0]!;
      const found = () =>
        sql<{
          rowid: number;
        }>`select rowid from message_search where message_search match ${`"${pair}"`}`.execute(db!);
      expect((await found()).rows).toHaveLength(1);
      await sql`update messages set text = '' where seq = 1`.execute(db);
      expect((await found()).rows).toEqual([]);
      const pages = await sql<{
        block: Buffer | null;
      }>`select block from message_search_data`.execute(db);
      const dump = pages.rows.map((r) => r.block?.toString('latin1') ?? '').join('');
      expect(dump).not.toContain(pair.slice(2));
    }
  });
});
