import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';

type Db = Kysely<DatabaseSchema>;

export interface UpdateRow {
  pts: number;
  payload: string;
}

export async function readCounter(sql: SqlRunner, name: 'pts' | 'pruned_pts'): Promise<number> {
  const row = await sql.get<{ value: number }>('select value from counters where name = ?', [name]);
  return Number(row!.value);
}

/**
 * A user's updates after `pts`: their own, and those of every chat they were a member of at the
 * time, limited to their membership window — only chats whose `last_pts` moved are read.
 * Every reconnect runs this, so it is plain SQL on prepared statements.
 */
export async function readUpdatesSince(
  sql: SqlRunner,
  userId: string,
  pts: number,
  limit: number,
): Promise<UpdateRow[]> {
  const memberships = await sql.all<{
    chat_id: string;
    joined_pts: number;
    left_pts: number | null;
  }>(
    `select m.chat_id, m.joined_pts, m.left_pts from chat_members m
     join chats c on c.id = m.chat_id
     where m.user_id = ? and c.last_pts > ? and (m.left_pts is null or m.left_pts > ?)`,
    [userId, pts, pts],
  );
  const perChat = memberships.map((m) => {
    const after = Math.max(pts, Number(m.joined_pts) - 1);
    return m.left_pts === null
      ? sql.all<UpdateRow>(
          'select pts, payload from chat_updates where chat_id = ? and pts > ? order by pts limit ?',
          [m.chat_id, after, limit],
        )
      : sql.all<UpdateRow>(
          'select pts, payload from chat_updates where chat_id = ? and pts > ? and pts <= ? order by pts limit ?',
          [m.chat_id, after, m.left_pts, limit],
        );
  });
  const own = sql.all<UpdateRow>(
    'select pts, payload from user_updates where user_id = ? and pts > ? order by pts limit ?',
    [userId, pts, limit],
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
