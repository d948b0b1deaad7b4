import type { Kysely } from 'kysely';

/** A member's own setting for a chat: muted (no notifications, no badge). Roles gain 'admin'. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('chat_members')
    .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
