import type { Kysely } from 'kysely';
import type { LinkPreview } from '@tokki/protocol';
import type { DatabaseSchema } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;

/** A preview as cached: its imageUrl is always null; `imageId` names the image Tokki serves. */
export interface CachedPreview {
  preview: LinkPreview | null;
  imageId: string | null;
}

/** The image of a preview, as stored with it. */
export interface StoredImage {
  id: string;
  data: Buffer;
  mime: string;
}

/** The cached answer for a URL, if it has not expired: a preview, or null for a known miss. */
export async function cachedPreview(
  db: Db,
  url: string,
  now: number,
): Promise<CachedPreview | undefined> {
  const row = await db
    .selectFrom('link_previews')
    .select(['preview', 'expires_at', 'image_id'])
    .where('url', '=', url)
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= now) return undefined;
  if (row.preview === null) return { preview: null, imageId: null };
  // Rows cached before images were served by Tokki hold the site's image URL: never handed out.
  const preview = { ...(JSON.parse(row.preview) as LinkPreview), imageUrl: null };
  return { preview, imageId: row.image_id };
}

/** Replaces the URL's entry, its image with it (an earlier image is gone with the old row). */
export async function storePreview(
  db: Db,
  url: string,
  preview: LinkPreview | null,
  image: StoredImage | undefined,
  now: number,
  ttlMs: number,
): Promise<void> {
  const values = {
    preview: preview && JSON.stringify({ ...preview, imageUrl: null }),
    fetched_at: now,
    expires_at: now + ttlMs,
    image_id: image?.id ?? null,
    image: image?.data ?? null,
    image_type: image?.mime ?? null,
  };
  await db
    .insertInto('link_previews')
    .values({ url, ...values })
    .onConflict((oc) => oc.column('url').doUpdateSet(values))
    .execute();
}

/** A preview's image while its preview has not expired. */
export async function previewImage(
  db: Db,
  imageId: string,
  now: number,
): Promise<{ data: Buffer; mime: string } | undefined> {
  const row = await db
    .selectFrom('link_previews')
    .select(['image', 'image_type', 'expires_at'])
    .where('image_id', '=', imageId)
    .executeTakeFirst();
  if (!row?.image || !row.image_type || Number(row.expires_at) <= now) return undefined;
  return { data: Buffer.from(row.image), mime: row.image_type };
}

/** Drops entries that expired before `before`, and their images. */
export async function pruneExpired(db: Db, before: number): Promise<void> {
  await db.deleteFrom('link_previews').where('expires_at', '<', before).execute();
}
