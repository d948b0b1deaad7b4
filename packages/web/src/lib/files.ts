import type { FileInfo, Message } from '@tokki/protocol';
import { isConnectionError, TokkiError } from '@tokki/sdk';
import type { TFunction } from 'i18next';
import { useEffect, useSyncExternalStore } from 'react';
import { store } from './store';

/** Asked again this long before the server's expiry, so that no URL dies while on screen. */
const REFRESH_MARGIN_MS = 60_000;

/** What `files.get` answers: signed URLs (relative to the server) that need no header. */
export interface FileLink {
  url: string;
  thumbUrl: string | null;
  expiresAt: number;
}

type Entry =
  | { status: 'loading' }
  | { status: 'done'; link: FileLink; timer: ReturnType<typeof setTimeout> }
  /** Refused (left the chat, gone): nothing to show, and not asked again this session. */
  | { status: 'failed' };

/**
 * Download links of files, asked of the server when a message with them is on screen and kept
 * until shortly before they expire; then forgotten, so that a bubble still on screen asks again.
 */
export class FileLinks {
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<() => void>();
  readonly #fetchLink: (fileId: string) => Promise<FileLink>;

  constructor(fetchLink: (fileId: string) => Promise<FileLink>) {
    this.#fetchLink = fetchLink;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The links when known and fresh; `undefined` while unknown, loading or refused. */
  get(fileId: string): FileLink | undefined {
    const entry = this.#entries.get(fileId);
    return entry?.status === 'done' ? entry.link : undefined;
  }

  /** Asks the server for a file's links unless they are known or on their way. */
  request(fileId: string): void {
    if (this.#entries.has(fileId)) return;
    void this.#ask(fileId);
  }

  /** Forgets everything (sign-out). */
  clear(): void {
    for (const entry of this.#entries.values()) {
      if (entry.status === 'done') clearTimeout(entry.timer);
    }
    this.#entries.clear();
    this.#notify();
  }

  async #ask(fileId: string): Promise<void> {
    this.#entries.set(fileId, { status: 'loading' });
    let link: FileLink;
    try {
      link = await this.#fetchLink(fileId);
    } catch (error) {
      if (this.#entries.get(fileId)?.status !== 'loading') return;
      // Offline: ask again when the message is shown next, not in a loop now.
      if (isConnectionError(error)) this.#entries.delete(fileId);
      else this.#entries.set(fileId, { status: 'failed' });
      return;
    }
    if (this.#entries.get(fileId)?.status !== 'loading') return;
    const wait = Math.max(link.expiresAt - Date.now() - REFRESH_MARGIN_MS, 1000);
    const timer = setTimeout(() => {
      this.#entries.delete(fileId);
      this.#notify();
    }, wait);
    this.#entries.set(fileId, { status: 'done', link, timer });
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

export const fileLinks = new FileLinks(async (fileId) => {
  const client = store.client;
  if (!client) throw new TokkiError('UNAUTHENTICATED', 'Signed out');
  const { url, thumbUrl, expiresAt } = await client.call('files.get', { fileId });
  return { url, thumbUrl, expiresAt };
});

// Another account may sign in next in this tab: nothing of this one's stays.
store.subscribe(() => {
  if (store.state.phase === 'signedOut') fileLinks.clear();
});

/** A file's links, asked for while a component showing it is mounted (again after expiry). */
export function useFileLink(fileId: string | undefined): FileLink | undefined {
  const link = useSyncExternalStore(fileLinks.subscribe, () =>
    fileId ? fileLinks.get(fileId) : undefined,
  );
  useEffect(() => {
    if (fileId && !link) fileLinks.request(fileId);
  }, [fileId, link]);
  return link;
}

/** "Photo", "3 photos", a file's name or "3 files": what a message of files alone is called. */
export function filesSummary(t: TFunction, files: readonly FileInfo[]): string {
  if (files.every((file) => file.kind === 'image')) {
    return files.length === 1 ? t('files.photo') : t('files.photos', { count: files.length });
  }
  if (files.length === 1) return files[0]!.name;
  return t('files.files', { count: files.length });
}

/** A message's text for one line (chat list, quotes): its files when it has no caption. */
export function messageSummary(t: TFunction, message: Pick<Message, 'text' | 'files'>): string {
  const text = message.text.trim();
  if (text || !message.files?.length) return text;
  return filesSummary(t, message.files);
}

/** A size in bytes as people read it: "820 B", "14.2 KB", "3.1 MB" (in the user's digits). */
export function formatBytes(bytes: number, lng: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(lng, { maximumFractionDigits: digits })} ${units[unit]}`;
}
