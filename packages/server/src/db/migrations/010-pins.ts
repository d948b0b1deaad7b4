import type { Kysely } from 'kysely';

/** The message pinned at the top of a chat (KakaoTalk's 공지). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('chats').addColumn('pinned_seq', 'integer').execute();
}
