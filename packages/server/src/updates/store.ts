import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';
import type { Membership } from './memberships.js';

type Db = Kysely<DatabaseSchema>;

export interface UpdateRow {
  readonly pts: number;
  readonly payload: string;
}

export async function readCounter(sql: SqlRunner, name: 'pts' | 'pruned_pts'): Promise<number> {
  const row = await sql.get<{ value: number }>('select value from counters where name = ?', [name]);
  return Number(row!.value);
}

/**
 * The part of a chat's log a member reads after `pts` and up to `through`: the updates above
 * `after` and at most `through` of the result, from their joining's on and up to their leaving's.
 * Empty when `after >= through`.
 */
export function membershipRange(m: Membership, pts: number, through: number) {
  return {
    after: Math.max(pts, m.joinedPts - 1),
    through: m.leftPts === null ? through : Math.min(m.leftPts, through),
  };
}

/**
 * A user's updates after `pts` and at most `through`, oldest first, at most `limit`: their own,
 * and those of `memberships` within each window (one indexed range read per chat). Every
 * reconnect runs this, so it is plain SQL on prepared statements.
 */
export async function readUpdatesSince(
  sql: SqlRunner,
  userId: string,
  memberships: readonly Membership[],
  pts: number,
  through: number,
  limit: number,
): Promise<UpdateRow[]> {
  const perChat = memberships.map((m) => {
    const range = membershipRange(m, pts, through);
    if (range.after >= range.through) return [];
    // Updates about messages from before the member joined are not theirs (see `aboutSeq`).
    return sql.all<{ pts: number; payload: string }>(
      `select pts, payload from chat_updates where chat_id = ? and pts > ? and pts <= ?
       and (about_seq is null or about_seq > ?) order by pts limit ?`,
      [m.chatId, range.after, range.through, m.joinedSeq, limit],
    );
  });
  const own = sql.all<{ pts: number; payload: string }>(
    'select pts, payload from user_updates where user_id = ? and pts > ? and pts <= ? order by pts limit ?',
    [userId, pts, through, limit],
  );
  const rows = (await Promise.all([own, ...perChat])).flat();
  for (const row of rows) row.pts = Number(row.pts);
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
