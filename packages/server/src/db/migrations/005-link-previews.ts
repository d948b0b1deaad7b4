import type { Kysely } from 'kysely';

/** The link-preview cache (issue 6): one row per normalised URL, misses included. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('link_previews')
    .addColumn('url', 'text', (c) => c.primaryKey())
    // The LinkPreview as JSON; null when the page gave none (a negative entry).
    .addColumn('preview', 'text')
    .addColumn('fetched_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('link_previews_expires_idx')
    .on('link_previews')
    .column('expires_at')
    .execute();
}
