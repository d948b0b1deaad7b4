import { sql, type Kysely } from 'kysely';

/**
 * Sign-in abuse (issue 15): a number may have a few codes pending at once, so that asking for a
 * new one does not void the one someone else is typing; and rate-limit windows record when they
 * end, so expired ones can be pruned. Pending codes live five minutes: those in flight at the
 * upgrade are dropped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('verification_codes').execute();
  await db.schema
    .createTable('verification_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('verification_codes_phone_idx')
    .on('verification_codes')
    .columns(['phone', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('verification_codes_expiry_idx')
    .on('verification_codes')
    .column('expires_at')
    .execute();

  await db.schema
    .alterTable('rate_limits')
    .addColumn('expires_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // No window is longer than a day: older rows end a day after they began at the latest.
  await sql`UPDATE rate_limits SET expires_at = window_start + 86400000`.execute(db);
  await db.schema
    .createIndex('rate_limits_expiry_idx')
    .on('rate_limits')
    .column('expires_at')
    .execute();
}
