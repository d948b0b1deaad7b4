import type { LinkPreview, MethodParams } from '@tokki/protocol';
import type { Logger } from 'pino';
import { hitRateLimit } from '../rate-limit/rate-limit.js';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { WriteQueue } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../rpc/route.js';
import { newId } from '../ids.js';
import { signToken, verifyToken } from '../media/signed-url.js';
import { SERVER_VERSION } from '../version.js';
import {
  DEFAULT_FETCH_LIMITS,
  fetchImage,
  fetchPage,
  LinkFetchFailed,
  systemResolver,
  type FetchOptions,
  type Resolver,
} from './fetcher.js';
import { checkLinkUrl, LinkRefused } from './link-url.js';
import { decodeHtml, parsePreview } from './parse.js';
import { toPreviewImage } from './preview-image.js';
import {
  cachedPreview,
  previewImage,
  pruneExpired,
  storePreview,
  type CachedPreview,
  type StoredImage,
} from './store.js';

const HOUR_MS = 3600 * 1000;
/** How long a preview is served from the cache. */
export const PREVIEW_TTL_MS = 24 * HOUR_MS;
/** How long a page without one (or that could not be fetched) is not tried again. */
export const MISS_TTL_MS = HOUR_MS;
/** Expired entries are deleted once every this many stores. */
const PRUNE_EVERY = 256;
/** How long an image URL handed out with a preview works (its preview is cached as long). */
export const IMAGE_URL_TTL_MS = PREVIEW_TTL_MS;
const IMAGE_ID = /^l_[0-9a-z]{16}$/;

/**
 * Link previews (docs/adr/004-link-previews.md). A link that is refused by its text alone is an
 * INVALID_PARAMS error; one refused only after DNS or on a redirect gives `null`, like a page
 * that cannot be reached, so that the answer does not tell which names resolve inside the
 * network. Previews and misses are cached in the database; concurrent calls for one URL share
 * one fetch; fetches count against a per-user rate limit. A page's image is fetched by the server
 * with the page, under the same rules, re-encoded and kept with the preview; the preview names it
 * by a signed Tokki URL, so no reader's browser contacts the site before they open the link.
 */
export class LinksService {
  private readonly inFlight = new Map<string, Promise<CachedPreview>>();
  private readonly fetchOptions: FetchOptions;
  private readonly imageFetchOptions: FetchOptions;
  private readonly allowHosts: ReadonlySet<string>;
  private readonly shutdown = new AbortController();
  private storesSincePrune = 0;

  constructor(
    private readonly config: ServerConfig,
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly logger: Logger,
    resolve: Resolver = systemResolver,
  ) {
    this.allowHosts = new Set(config.linkPreviews.allowHosts.map(normaliseHost));
    this.fetchOptions = {
      ...DEFAULT_FETCH_LIMITS,
      timeoutMs: config.linkPreviews.timeoutMs,
      idleTimeoutMs: Math.min(DEFAULT_FETCH_LIMITS.idleTimeoutMs, config.linkPreviews.timeoutMs),
      allowHosts: this.allowHosts,
      resolve,
      userAgent: `TokkiBot/${SERVER_VERSION} (link previews)`,
      signal: this.shutdown.signal,
    };
    this.imageFetchOptions = { ...this.fetchOptions, maxBytes: config.linkPreviews.maxImageBytes };
  }

  async preview(
    { userId }: Principal,
    params: MethodParams<'links.preview'>,
  ): Promise<LinkPreview | null> {
    let url: string;
    try {
      url = checkLinkUrl(params.url, this.allowHosts).href;
    } catch (error) {
      if (!(error instanceof LinkRefused)) throw error;
      throw new ApiError('INVALID_PARAMS', 'Only public http(s) links can be previewed.');
    }
    const cached = await cachedPreview(this.database.db, url, Date.now());
    if (cached) return this.answer(cached, userId);

    const { linkPreviewsPerUser } = this.config.rateLimits;
    const retryAfter = await this.writes.run((w) =>
      hitRateLimit(w, `links:user:${userId}`, linkPreviewsPerUser),
    );
    if (retryAfter) {
      throw new ApiError('RATE_LIMITED', 'Too many link previews; try again later.', retryAfter);
    }

    let fetching = this.inFlight.get(url);
    if (!fetching) {
      fetching = this.fetchAndCache(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, fetching);
    }
    return this.answer(await fetching, userId);
  }

  /**
   * The image of a preview, for `GET /v1/link-images/<id>?t=…`: the token must be one this
   * server signed for this image and not expired, and the preview still cached.
   */
  async image(imageId: string, token: string): Promise<{ data: Buffer; mime: string }> {
    const now = Date.now();
    const valid =
      IMAGE_ID.test(imageId) &&
      verifyToken(this.config.mediaUrlKey, 'link-image', imageId, token, now) !== undefined;
    if (!valid)
      throw new ApiError(
        'UNAUTHENTICATED',
        'This image link is invalid or has expired; ask for the preview again.',
      );
    const image = await previewImage(this.database.db, imageId, now);
    if (!image) throw new ApiError('NOT_FOUND', 'No such image.');
    return image;
  }

  /** Stops fetches under way and waits for them to finish. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled(this.inFlight.values());
  }

  /** The preview as this user gets it: its image as a Tokki URL signed for them. */
  private answer({ preview, imageId }: CachedPreview, userId: string): LinkPreview | null {
    if (!preview) return null;
    if (!imageId) return { ...preview, imageUrl: null };
    const expiresAt = Date.now() + IMAGE_URL_TTL_MS;
    const token = signToken(this.config.mediaUrlKey, 'link-image', imageId, userId, expiresAt);
    return { ...preview, imageUrl: `/v1/link-images/${imageId}?t=${token}` };
  }

  private async fetchAndCache(url: string): Promise<CachedPreview> {
    // A call that found no preview may have waited on its rate limit while another fetched it.
    const cached = await cachedPreview(this.database.db, url, Date.now());
    if (cached) return cached;
    let preview: LinkPreview | null = null;
    let image: StoredImage | undefined;
    try {
      const page = await fetchPage(new URL(url), this.fetchOptions);
      preview = parsePreview(decodeHtml(page.body, page.contentType), page.url);
      if (preview?.imageUrl) image = await this.fetchImage(preview.imageUrl);
    } catch (error) {
      if (!(error instanceof LinkRefused || error instanceof LinkFetchFailed)) throw error;
      // The reason only: the URL came from a message, and logs hold no message content.
      this.logger.debug({ reason: error.reason }, 'no link preview');
    }
    const entry = {
      preview: preview && { ...preview, imageUrl: null },
      imageId: image?.id ?? null,
    };
    if (this.shutdown.signal.aborted) return entry;
    try {
      const prune = ++this.storesSincePrune % PRUNE_EVERY === 0;
      await this.writes.run(async (w) => {
        const ttl = preview ? PREVIEW_TTL_MS : MISS_TTL_MS;
        await storePreview(w.db, url, preview, image, w.now, ttl);
        if (prune) await pruneExpired(w.db, w.now);
      });
    } catch (error) {
      this.logger.error({ err: error }, 'caching a link preview failed');
      return { ...entry, imageId: null };
    }
    return entry;
  }

  /**
   * The page's image, fetched under the page's rules (its own checks on every hop, its own
   * deadline) and re-encoded; undefined when it cannot be had. A preview without its image is
   * still a preview.
   */
  private async fetchImage(imageUrl: string): Promise<StoredImage | undefined> {
    try {
      const link = checkLinkUrl(imageUrl, this.allowHosts);
      const fetched = await fetchImage(link, this.imageFetchOptions);
      const image = await toPreviewImage(fetched.body);
      if (!image) throw new LinkFetchFailed('image unreadable');
      return { id: newId('l'), ...image };
    } catch (error) {
      if (!(error instanceof LinkRefused || error instanceof LinkFetchFailed)) throw error;
      this.logger.debug({ reason: error.reason }, 'no link preview image');
      return undefined;
    }
  }
}

/** As `hostOf` gives hosts: lower case, without IPv6 brackets or a final dot. */
function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}
