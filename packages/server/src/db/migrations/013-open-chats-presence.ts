import type { Kysely } from 'kysely';

/**
 * Open chats: their settings, and each member's room profile (an id of its own and a
 * nickname) that stands for them in the room instead of their user id. A member the host
 * removed stays banned from coming back. And presence: when each user was last online, and who
 * may know it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('open_chats')
    .addColumn('chat_id', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('member_limit', 'integer', (c) => c.notNull())
    .addColumn('listed', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('chat_members').addColumn('profile_id', 'text').execute();
  await db.schema.alterTable('chat_members').addColumn('nickname', 'text').execute();
  await db.schema
    .alterTable('chat_members')
    .addColumn('banned', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('chat_members_profile_idx')
    .on('chat_members')
    .columns(['chat_id', 'profile_id'])
    .unique()
    .execute();
  await db.schema
    .createTable('presence')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seen_at', 'bigint')
    .addColumn('last_seen_privacy', 'text', (c) => c.notNull())
    .execute();
}
