import type { Kysely } from 'kysely';

/** Invite links to groups: a SHA-256 of the link's random token, never the token. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chat_invites')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('chat_invites_chat_idx')
    .on('chat_invites')
    .column('chat_id')
    .execute();
}
