import type { Kysely } from 'kysely';

/**
 * Friends from the address book (issue 5). Numbers of people who are not users are never stored:
 * contacts hold a keyed hash (accounts/phone-hash.ts), and users carry the same hash of their
 * own number so that the two can be matched.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('phone_hash', 'text').execute();
  await db.schema.alterTable('users').addColumn('tokki_id', 'text').execute();
  await db.schema.alterTable('users').addColumn('photo_id', 'text').execute();
  await db.schema
    .createIndex('users_phone_hash_idx')
    .on('users')
    .column('phone_hash')
    .unique()
    .execute();
  await db.schema
    .createIndex('users_tokki_id_idx')
    .on('users')
    .column('tokki_id')
    .unique()
    .execute();

  // Set on a direct chat's member whom the other member blocked: their sends are refused.
  await db.schema
    .alterTable('chat_members')
    .addColumn('send_blocked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('phone_hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['owner_id', 'phone_hash'])
    .execute();
  // "Who has this number": recommendations, and friends for a user who just signed up.
  await db.schema
    .createIndex('contacts_phone_hash_idx')
    .on('contacts')
    .columns(['phone_hash', 'owner_id'])
    .execute();

  await db.schema
    .createTable('friends')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('friend_id', 'text', (c) => c.notNull())
    .addColumn('contact_name', 'text')
    .addColumn('favorite', 'integer', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('friends_pk', ['owner_id', 'friend_id'])
    .execute();
  // Whose friend a user is: who hears of their profile changes.
  await db.schema
    .createIndex('friends_friend_idx')
    .on('friends')
    .columns(['friend_id', 'owner_id'])
    .execute();

  // The blocker's profile as it was when they blocked: all the blocked user sees of it from then.
  await db.schema
    .createTable('blocks')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('blocked_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text', (c) => c.notNull())
    .addColumn('photo_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['owner_id', 'blocked_id'])
    .execute();
  await db.schema
    .createIndex('blocks_blocked_idx')
    .on('blocks')
    .columns(['blocked_id', 'owner_id'])
    .execute();

  await db.schema
    .createTable('recommendation_dismissals')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('recommendation_dismissals_pk', ['owner_id', 'user_id'])
    .execute();

  // Resized JPEGs. Old pictures stay: a blocker's snapshot may still show one.
  await db.schema
    .createTable('profile_photos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // SQLite stores a Buffer as a BLOB whatever the declared type.
    .addColumn('large', 'bytea', (c) => c.notNull())
    .addColumn('small', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
