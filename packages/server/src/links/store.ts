import type { Kysely } from 'kysely';
import type { LinkPreview } from '@tokki/protocol';
import type { DatabaseSchema } from '../db/schema.js';

/** The preview cache (migration 005); declared here, as only this module reads it. */
export interface LinkPreviewsTable {
  url: string;
  /** The LinkPreview as JSON; null for a page that gave none. */
  preview: string | null;
  fetched_at: number;
  expires_at: number;
}

type Db = Kysely<DatabaseSchema>;
const table = (db: Db) => db.withTables<{ link_previews: LinkPreviewsTable }>();

/** The cached answer for a URL, if it has not expired: a preview, or null for a known miss. */
export async function cachedPreview(
  db: Db,
  url: string,
  now: number,
): Promise<{ preview: LinkPreview | null } | undefined> {
  const row = await table(db)
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
  await table(db)
    .insertInto('link_previews')
    .values({ url, ...values })
    .onConflict((oc) => oc.column('url').doUpdateSet(values))
    .execute();
}

/** Drops entries that expired before `before`. */
export async function pruneExpired(db: Db, before: number): Promise<void> {
  await table(db).deleteFrom('link_previews').where('expires_at', '<', before).execute();
}
