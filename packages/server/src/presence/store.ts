import type { Kysely } from 'kysely';
import type { LastSeenPrivacy } from '@tokki/protocol';
import type { DatabaseSchema } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

/** Records when the user was last connected; a new row takes `privacy`. */
export async function recordLastSeen(
  db: Db,
  userId: string,
  now: number,
  privacy: LastSeenPrivacy,
): Promise<void> {
  await db
    .insertInto('presence')
    .values({ user_id: userId, last_seen_at: now, last_seen_privacy: privacy })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_seen_at: now }))
    .execute();
}

export async function findPrivacy(db: Db, userId: string): Promise<LastSeenPrivacy | undefined> {
  const row = await db
    .selectFrom('presence')
    .select('last_seen_privacy')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.last_seen_privacy;
}

export async function setPrivacy(db: Db, userId: string, privacy: LastSeenPrivacy): Promise<void> {
  await db
    .insertInto('presence')
    .values({ user_id: userId, last_seen_at: null, last_seen_privacy: privacy })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_seen_privacy: privacy }))
    .execute();
}

export function presenceOf(db: Db, userIds: readonly string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('presence').selectAll().where('user_id', 'in', userIds).execute();
}
