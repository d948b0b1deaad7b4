import type { LinkPreview } from '@tokki/protocol';
import { isConnectionError, TokkiError } from '@tokki/sdk';
import { useEffect, useSyncExternalStore } from 'react';
import { store } from './store';

/** When RATE_LIMITED says nothing about how long to wait. */
const DEFAULT_RETRY_SECONDS = 60;

type Entry =
  | { status: 'loading' }
  | { status: 'done'; preview: LinkPreview | null }
  /** Rate-limited once: asked again after the wait, and never a third time. */
  | { status: 'waiting'; timer: ReturnType<typeof setTimeout> };

/**
 * Link previews asked of the server once per URL for this app session: an in-memory cache that
 * bubbles read as they render, so scrolling back and forth asks nothing again. An error or a page
 * without a preview is remembered as "no card".
 */
export class LinkPreviews {
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<() => void>();
  readonly #fetchPreview: (url: string) => Promise<LinkPreview | null>;

  constructor(fetchPreview: (url: string) => Promise<LinkPreview | null>) {
    this.#fetchPreview = fetchPreview;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The preview when known; `undefined` while unknown or loading, `null` for no card. */
  get(url: string): LinkPreview | null | undefined {
    const entry = this.#entries.get(url);
    return entry?.status === 'done' ? entry.preview : undefined;
  }

  /** Asks the server for a URL's preview unless it was asked already. */
  request(url: string): void {
    if (this.#entries.has(url)) return;
    void this.#ask(url, false);
  }

  /** Forgets everything (sign-out). */
  clear(): void {
    if (this.#entries.size === 0) return;
    for (const entry of this.#entries.values()) {
      if (entry.status === 'waiting') clearTimeout(entry.timer);
    }
    this.#entries.clear();
    this.#notify();
  }

  async #ask(url: string, retried: boolean): Promise<void> {
    this.#entries.set(url, { status: 'loading' });
    let preview: LinkPreview | null;
    try {
      preview = await this.#fetchPreview(url);
    } catch (error) {
      if (this.#entries.get(url)?.status !== 'loading') return;
      if (error instanceof TokkiError && error.code === 'RATE_LIMITED' && !retried) {
        const wait = error.retryAfter ?? DEFAULT_RETRY_SECONDS;
        const timer = setTimeout(() => void this.#ask(url, true), wait * 1000);
        this.#entries.set(url, { status: 'waiting', timer });
        return;
      }
      // Offline: ask again when a bubble with this link is shown next, not in a loop now.
      if (isConnectionError(error)) this.#entries.delete(url);
      else this.#entries.set(url, { status: 'done', preview: null });
      return;
    }
    if (this.#entries.get(url)?.status !== 'loading') return;
    this.#entries.set(url, { status: 'done', preview });
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

export const linkPreviews = new LinkPreviews(async (url) => {
  const client = store.client;
  if (!client) throw new TokkiError('UNAUTHENTICATED', 'Signed out');
  const { preview } = await client.call('links.preview', { url });
  return preview;
});

// Another account may sign in next in this tab: nothing of this one's stays.
store.subscribe(() => {
  if (store.state.phase === 'signedOut') linkPreviews.clear();
});

/**
 * The preview of `url` (the first link of a bubble on screen), asked for when the bubble mounts:
 * `undefined` while unknown, `null` when there is no card to show.
 */
export function useLinkPreview(url: string | undefined): LinkPreview | null | undefined {
  useEffect(() => {
    if (url) linkPreviews.request(url);
  }, [url]);
  return useSyncExternalStore(linkPreviews.subscribe, () =>
    url ? linkPreviews.get(url) : undefined,
  );
}
