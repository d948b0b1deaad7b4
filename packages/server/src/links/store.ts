import type { Kysely } from 'kysely';
import type { LinkPreview } from '@tokki/protocol';
import type { DatabaseSchema } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

/** The cached answer for a URL, if it has not expired: a preview, or null for a known miss. */
export async function cachedPreview(
  db: Db,
  url: string,
  now: number,
): Promise<{ preview: LinkPreview | null } | undefined> {
  const row = await db
    .selectFrom('link_previews')
    .select(['preview', 'expires_at'])
    .where('url', '=', url)
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= now) return undefined;
  return { preview: row.preview === null ? null : (JSON.parse(row.preview) as LinkPreview) };
}

export async function storePreview(
  db: Db,
  url: string,
  preview: LinkPreview | null,
  now: number,
  ttlMs: number,
): Promise<void> {
  const values = {
    preview: preview && JSON.stringify(preview),
    fetched_at: now,
    expires_at: now + ttlMs,
  };
  await db
    .insertInto('link_previews')
    .values({ url, ...values })
    .onConflict((oc) => oc.column('url').doUpdateSet(values))
    .execute();
}

/** Drops entries that expired before `before`. */
export async function pruneExpired(db: Db, before: number): Promise<void> {
  await db.deleteFrom('link_previews').where('expires_at', '<', before).execute();
}
