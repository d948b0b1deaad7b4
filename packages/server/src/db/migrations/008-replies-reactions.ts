import type { Kysely } from 'kysely';

/** Replies (a message quotes another of its chat) and reactions, one per member and message. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('reply_to_seq', 'integer').execute();
  await db.schema
    .createTable('message_reactions')
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('reaction', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_reactions_pk', ['chat_id', 'seq', 'user_id'])
    .execute();
}
