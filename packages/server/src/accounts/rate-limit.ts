import type { RateLimit } from '../config.js';
import type { Writer } from '../db/write-queue.js';

/**
 * Counts one hit against a fixed window kept in the database (so limits hold across restarts
 * and nodes). Returns 0 when allowed, else the seconds until the window resets.
 */
export async function hitRateLimit(writer: Writer, key: string, limit: RateLimit): Promise<number> {
  const windowMs = limit.windowSeconds * 1000;
  const row = await writer.db
    .selectFrom('rate_limits')
    .select(['window_start', 'count'])
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row || writer.now - row.window_start >= windowMs) {
    await writer.db
      .insertInto('rate_limits')
      .values({ key, window_start: writer.now, count: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet({ window_start: writer.now, count: 1 }))
      .execute();
    return 0;
  }
  if (row.count >= limit.max) return Math.ceil((row.window_start + windowMs - writer.now) / 1000);
  await writer.db
    .updateTable('rate_limits')
    .set({ count: row.count + 1 })
    .where('key', '=', key)
    .execute();
  return 0;
}
