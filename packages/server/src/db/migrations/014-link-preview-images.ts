import type { Kysely } from 'kysely';

/**
 * A link preview's image, fetched and re-encoded by the server and served from Tokki (issue 15,
 * ADR 004): kept in the preview's own row, so that it goes when the preview is refreshed or pruned.
 * One column per statement: SQLite adds one column at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // `l_…`: the id in `/v1/link-images/<id>`; null when the preview has no image.
  await db.schema.alterTable('link_previews').addColumn('image_id', 'text').execute();
  // SQLite stores a Buffer as a BLOB whatever the declared type.
  await db.schema.alterTable('link_previews').addColumn('image', 'bytea').execute();
  await db.schema.alterTable('link_previews').addColumn('image_type', 'text').execute();
  await db.schema
    .createIndex('link_previews_image_idx')
    .on('link_previews')
    .column('image_id')
    .unique()
    .execute();
}
