import type { Kysely } from 'kysely';

/**
 * Secret chats (docs/adr/008-secret-chats.md): the server as MLS's delivery service. A secret
 * chat is a row of `chats` (kind 'secret'); these tables hold what the delivery service needs
 * beside it — devices' identity keys and key packages, each group's epoch and leaves, who
 * claimed whose key package, and the messages it still holds (their ciphertext is in the
 * `secret.message` update itself, blanked when the row goes).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secret_identities')
    .addColumn('device_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('signature_key', 'text', (c) => c.notNull())
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('secret_identities_user_idx')
    .on('secret_identities')
    .column('user_id')
    .execute();
  await db.schema
    .createTable('secret_key_packages')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('last_resort', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_key_packages_pk', ['device_id', 'ref'])
    .execute();
  await db.schema
    .createTable('secret_claims')
    .addColumn('claimer_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_claims_pk', ['claimer_id', 'device_id'])
    .execute();
  await db.schema
    .createTable('secret_groups')
    .addColumn('chat_id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull().unique())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('secret_group_devices')
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('acked_seq', 'integer', (c) => c.notNull())
    .addColumn('revoked', 'integer', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_group_devices_pk', ['chat_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('secret_group_devices_device_idx')
    .on('secret_group_devices')
    .column('device_id')
    .execute();
  await db.schema
    .createTable('secret_messages')
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('pts', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_messages_pk', ['chat_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('secret_messages_expiry_idx')
    .on('secret_messages')
    .column('expires_at')
    .execute();
}
