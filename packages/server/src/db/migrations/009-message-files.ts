import type { Kysely } from 'kysely';

/** The files a message carries: their FileInfo as JSON, fixed when sent (files never change). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('files', 'text').execute();
}
