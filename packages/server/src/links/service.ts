import type { LinkPreview, MethodParams } from '@tokki/protocol';
import type { Logger } from 'pino';
import { hitRateLimit } from '../rate-limit/rate-limit.js';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { WriteQueue } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../rpc/route.js';
import { SERVER_VERSION } from '../version.js';
import {
  DEFAULT_FETCH_LIMITS,
  fetchPage,
  LinkFetchFailed,
  systemResolver,
  type FetchOptions,
  type Resolver,
} from './fetcher.js';
import { checkLinkUrl, LinkRefused } from './link-url.js';
import { decodeHtml, parsePreview } from './parse.js';
import { cachedPreview, pruneExpired, storePreview } from './store.js';

const HOUR_MS = 3600 * 1000;
/** How long a preview is served from the cache. */
export const PREVIEW_TTL_MS = 24 * HOUR_MS;
/** How long a page without one (or that could not be fetched) is not tried again. */
export const MISS_TTL_MS = HOUR_MS;
/** Expired entries are deleted once every this many stores. */
const PRUNE_EVERY = 256;

/**
 * Link previews (docs/adr/004-link-previews.md). A link that is refused by its text alone is an
 * INVALID_PARAMS error; one refused only after DNS or on a redirect gives `null`, like a page
 * that cannot be reached, so that the answer does not tell which names resolve inside the
 * network. Previews and misses are cached in the database; concurrent calls for one URL share
 * one fetch; fetches count against a per-user rate limit.
 */
export class LinksService {
  private readonly inFlight = new Map<string, Promise<LinkPreview | null>>();
  private readonly fetchOptions: FetchOptions;
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
    if (cached) return cached.preview;

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
    return fetching;
  }

  /** Stops fetches under way and waits for them to finish. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled(this.inFlight.values());
  }

  private async fetchAndCache(url: string): Promise<LinkPreview | null> {
    // A call that found no preview may have waited on its rate limit while another fetched it.
    const cached = await cachedPreview(this.database.db, url, Date.now());
    if (cached) return cached.preview;
    let preview: LinkPreview | null = null;
    try {
      const page = await fetchPage(new URL(url), this.fetchOptions);
      preview = parsePreview(decodeHtml(page.body, page.contentType), page.url);
    } catch (error) {
      if (!(error instanceof LinkRefused || error instanceof LinkFetchFailed)) throw error;
      // The reason only: the URL came from a message, and logs hold no message content.
      this.logger.debug({ reason: error.reason }, 'no link preview');
    }
    if (this.shutdown.signal.aborted) return preview;
    try {
      const prune = ++this.storesSincePrune % PRUNE_EVERY === 0;
      await this.writes.run(async (w) => {
        await storePreview(w.db, url, preview, w.now, preview ? PREVIEW_TTL_MS : MISS_TTL_MS);
        if (prune) await pruneExpired(w.db, w.now);
      });
    } catch (error) {
      this.logger.error({ err: error }, 'caching a link preview failed');
    }
    return preview;
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
