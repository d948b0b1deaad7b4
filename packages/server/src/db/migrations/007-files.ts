import type { Kysely } from 'kysely';

/** Files uploaded to chats (issue 6): metadata here, bytes in the blob store (media/). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id'))
    .addColumn('uploader_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('upload_id', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('original_size', 'bigint', (c) => c.notNull())
    .addColumn('thumb_sha256', 'text')
    .addColumn('thumb_mime', 'text')
    .addColumn('blurhash', 'text')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_chat_idx').on('files').columns(['chat_id', 'id']).execute();
  // To find whether a blob is still referenced before deleting it.
  await db.schema.createIndex('files_sha256_idx').on('files').column('sha256').execute();
  await db.schema
    .createIndex('files_thumb_sha256_idx')
    .on('files')
    .column('thumb_sha256')
    .execute();
}
