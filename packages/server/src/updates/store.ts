import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

export interface UpdateRow {
  pts: number;
  payload: string;
}

export async function readCounter(db: Db, name: 'pts' | 'pruned_pts'): Promise<number> {
  const row = await db
    .selectFrom('counters')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}

/**
 * A user's updates after `pts`: their own, and those of every chat they were a member of at the
 * time, limited to their membership window — only chats whose `last_pts` moved are read.
 */
export async function readUpdatesSince(
  db: Db,
  userId: string,
  pts: number,
  limit: number,
): Promise<UpdateRow[]> {
  const memberships = await db
    .selectFrom('chat_members as m')
    .innerJoin('chats as c', 'c.id', 'm.chat_id')
    .select(['m.chat_id', 'm.joined_pts', 'm.left_pts'])
    .where('m.user_id', '=', userId)
    .where('c.last_pts', '>', pts)
    .where((eb) => eb.or([eb('m.left_pts', 'is', null), eb('m.left_pts', '>', pts)]))
    .execute();

  const perChat = memberships.map((m) => {
    let query = db
      .selectFrom('chat_updates')
      .select(['pts', 'payload'])
      .where('chat_id', '=', m.chat_id)
      .where('pts', '>', Math.max(pts, m.joined_pts - 1));
    if (m.left_pts !== null) query = query.where('pts', '<=', m.left_pts);
    return query.orderBy('pts').limit(limit).execute();
  });
  const own = db
    .selectFrom('user_updates')
    .select(['pts', 'payload'])
    .where('user_id', '=', userId)
    .where('pts', '>', pts)
    .orderBy('pts')
    .limit(limit)
    .execute();

  const rows = (await Promise.all([own, ...perChat])).flat();
  rows.sort((a, b) => a.pts - b.pts);
  return rows.slice(0, limit);
}

/** Deletes updates older than `before` (ms) and records the highest pts deleted. */
export async function pruneUpdates(db: Db, before: number): Promise<number> {
  const newest = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('chat_updates')
        .select('pts')
        .where('created_at', '<', before)
        .unionAll(eb.selectFrom('user_updates').select('pts').where('created_at', '<', before))
        .as('old'),
    )
    .select((eb) => eb.fn.max('pts').as('pts'))
    .executeTakeFirst();
  const through = Number(newest?.pts ?? 0);
  if (!through) return 0;
  await db.deleteFrom('chat_updates').where('pts', '<=', through).execute();
  await db.deleteFrom('user_updates').where('pts', '<=', through).execute();
  await db
    .updateTable('counters')
    .set({ value: sql<number>`case when value > ${through} then value else ${through} end` })
    .where('name', '=', 'pruned_pts')
    .execute();
  return through;
}
