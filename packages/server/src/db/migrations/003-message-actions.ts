import type { Kysely } from 'kysely';

/** Edit and delete (issue 6): a message keeps its row; "deleted for me" is a row per user. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('edited_at', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('deleted_at', 'bigint').execute();
  // The pts of its message.new update, rewritten when the message is edited or deleted.
  await db.schema.alterTable('messages').addColumn('pts', 'bigint').execute();
  await db.schema
    .createTable('hidden_messages')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('hidden_messages_pk', ['user_id', 'chat_id', 'seq'])
    .execute();
}
