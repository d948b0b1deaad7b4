import type { Writer } from '../db/write-queue.js';

/** At most `max` hits per window of `windowSeconds` (config's `rateLimits`). */
export interface RateLimit {
  max: number;
  windowSeconds: number;
}

/**
 * Counts `cost` hits against a fixed window kept in the database (so limits hold across restarts
 * and nodes), all or none. Returns 0 when allowed, else the seconds until the window resets
 * (a whole window when `cost` alone is over the limit).
 */
export async function hitRateLimit(
  writer: Writer,
  key: string,
  limit: RateLimit,
  cost = 1,
): Promise<number> {
  const windowMs = limit.windowSeconds * 1000;
  if (cost > limit.max) return limit.windowSeconds;
  const row = await writer.db
    .selectFrom('rate_limits')
    .select(['window_start', 'count'])
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row || writer.now - row.window_start >= windowMs) {
    if (cost === 0) return 0;
    await writer.db
      .insertInto('rate_limits')
      .values({ key, window_start: writer.now, count: cost })
      .onConflict((oc) => oc.column('key').doUpdateSet({ window_start: writer.now, count: cost }))
      .execute();
    return 0;
  }
  if (row.count + cost > limit.max)
    return Math.ceil((row.window_start + windowMs - writer.now) / 1000);
  if (cost === 0) return 0;
  await writer.db
    .updateTable('rate_limits')
    .set({ count: row.count + cost })
    .where('key', '=', key)
    .execute();
  return 0;
}
