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
  const row = await currentWindow(writer, key, windowMs);
  if (!row) {
    if (cost === 0) return 0;
    const fresh = { window_start: writer.now, count: cost, expires_at: writer.now + windowMs };
    await writer.db
      .insertInto('rate_limits')
      .values({ key, ...fresh })
      .onConflict((oc) => oc.column('key').doUpdateSet(fresh))
      .execute();
    return 0;
  }
  if (row.count + cost > limit.max) return secondsLeft(writer, row.window_start, windowMs);
  if (cost === 0) return 0;
  await writer.db
    .updateTable('rate_limits')
    .set({ count: row.count + cost })
    .where('key', '=', key)
    .execute();
  return 0;
}

/**
 * Whether the window is full, without counting a hit: for limits charged only when something
 * fails (wrong codes), which must also stop the attempt that would have succeeded.
 */
export async function rateLimitFull(
  writer: Writer,
  key: string,
  limit: RateLimit,
): Promise<number> {
  const windowMs = limit.windowSeconds * 1000;
  const row = await currentWindow(writer, key, windowMs);
  return row && row.count >= limit.max ? secondsLeft(writer, row.window_start, windowMs) : 0;
}

/**
 * Gives back one hit counted at `chargedAt`, for work that turned out not to happen (an SMS the
 * gateway refused). Nothing if that window has since been replaced by a new one.
 */
export async function refundRateLimit(
  writer: Writer,
  key: string,
  chargedAt: number,
): Promise<void> {
  await writer.db
    .updateTable('rate_limits')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('key', '=', key)
    .where('window_start', '<=', chargedAt)
    .where('count', '>', 0)
    .execute();
}

/** Deletes windows that have ended: they count nothing any more. Returns how many went. */
export async function pruneRateLimits(writer: Writer): Promise<number> {
  const result = await writer.db
    .deleteFrom('rate_limits')
    .where('expires_at', '<=', writer.now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

async function currentWindow(writer: Writer, key: string, windowMs: number) {
  const row = await writer.db
    .selectFrom('rate_limits')
    .select(['window_start', 'count'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row && writer.now - row.window_start < windowMs ? row : undefined;
}

function secondsLeft(writer: Writer, windowStart: number, windowMs: number): number {
  return Math.max(1, Math.ceil((windowStart + windowMs - writer.now) / 1000));
}
