import { LIMITS } from '@tokki/protocol';
import { isConnectionError, TokkiError } from '@tokki/sdk';
import { useSyncExternalStore } from 'react';
import { store } from './store';
import type { RunningUpload, startUpload as StartUpload } from './tus-upload';

/** One file of a batch: uploaded, then its id goes into the message. */
export interface UploadItem {
  key: string;
  file: File;
  sent: number;
  status: 'waiting' | 'uploading' | 'done' | 'failed';
  fileId?: string;
  /** An error code (`PAYLOAD_TOO_LARGE`, `NOT_MEMBER`, `INVALID_PARAMS`, `UNAVAILABLE`, …). */
  error?: string;
}

/**
 * Files picked together, uploaded one after another and then sent as one message (an album when
 * they are photos) with `caption`. Kept in memory only: a File cannot outlive the page.
 */
export interface UploadBatch {
  id: string;
  chatId: string;
  caption: string;
  replyToSeq?: number;
  createdAt: number;
  items: UploadItem[];
}

let nextId = 0;
let batches: UploadBatch[] = [];
const running = new Map<string, RunningUpload>();
/** Per chat: batches go one after another, so that messages arrive in the order picked. */
const chains = new Map<string, Promise<void>>();
const listeners = new Set<() => void>();

function set(next: UploadBatch[]): void {
  batches = next;
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function update(batchId: string, key: string, change: Partial<UploadItem>): void {
  set(
    batches.map((batch) =>
      batch.id === batchId
        ? {
            ...batch,
            items: batch.items.map((item) => (item.key === key ? { ...item, ...change } : item)),
          }
        : batch,
    ),
  );
}

/** Files over the limit: refused before a byte is sent. */
export function oversize(files: readonly File[]): File[] {
  return files.filter((file) => file.size > LIMITS.FILE_MAX_BYTES);
}

/**
 * Uploads `files` to a chat and then sends them with `caption`; more than a message may carry go
 * as several messages, the caption with the first.
 */
export function attach(
  chatId: string,
  files: readonly File[],
  caption: string,
  replyToSeq?: number,
): void {
  const added: UploadBatch[] = [];
  for (let at = 0; at < files.length; at += LIMITS.FILES_PER_MESSAGE_MAX) {
    const id = `u${++nextId}`;
    added.push({
      id,
      chatId,
      caption: at === 0 ? caption : '',
      ...(at === 0 && replyToSeq !== undefined && { replyToSeq }),
      createdAt: Date.now(),
      items: files.slice(at, at + LIMITS.FILES_PER_MESSAGE_MAX).map((file, index) => ({
        key: `${id}-${index}`,
        file,
        sent: 0,
        status: 'waiting',
      })),
    });
  }
  set([...batches, ...added]);
  for (const batch of added) {
    const next = (chains.get(chatId) ?? Promise.resolve()).then(() => run(batch.id));
    chains.set(chatId, next);
  }
}

/** Uploads the batch's files not uploaded yet, then sends it; stops at the first failure. */
async function run(batchId: string): Promise<void> {
  let startUpload: typeof StartUpload;
  try {
    ({ startUpload } = await import('./tus-upload'));
  } catch {
    // Offline before the uploader was ever loaded: Retry loads it again.
    const item = batches.find((b) => b.id === batchId)?.items.find((i) => i.status !== 'done');
    if (item) update(batchId, item.key, { status: 'failed', error: 'UNAVAILABLE' });
    return;
  }
  for (;;) {
    const batch = batches.find((b) => b.id === batchId);
    if (!batch) return; // cancelled
    const item = batch.items.find((i) => i.status !== 'done');
    if (!item) break;
    const token = store.client?.token;
    if (!token) {
      update(batchId, item.key, { status: 'failed', error: 'UNAUTHENTICATED' });
      return;
    }
    if (item.file.size > LIMITS.FILE_MAX_BYTES) {
      update(batchId, item.key, { status: 'failed', error: 'PAYLOAD_TOO_LARGE' });
      return;
    }
    update(batchId, item.key, { status: 'uploading', sent: 0 });
    const upload = startUpload(item.file, batch.chatId, token, (sent) => {
      if (running.get(item.key) === upload) update(batchId, item.key, { sent });
    });
    running.set(item.key, upload);
    try {
      const fileId = await upload.done;
      if (running.get(item.key) !== upload) return;
      update(batchId, item.key, { status: 'done', fileId, sent: item.file.size });
    } catch (error) {
      if (running.get(item.key) !== upload) return;
      const code = error instanceof TokkiError ? error.code : 'INTERNAL';
      update(batchId, item.key, {
        status: 'failed',
        error: isConnectionError(error) ? 'UNAVAILABLE' : code,
      });
      return;
    } finally {
      if (running.get(item.key) === upload) running.delete(item.key);
    }
  }
  const batch = batches.find((b) => b.id === batchId);
  if (!batch) return;
  set(batches.filter((b) => b.id !== batchId));
  // From here the offline queue sends it, like any message, exactly once.
  store.send(
    batch.chatId,
    batch.caption,
    batch.replyToSeq,
    batch.items.map((item) => item.fileId!),
  );
}

/** Tries the failed file again (and those after it); the uploaded ones are kept. */
export function retryBatch(batchId: string): void {
  const batch = batches.find((b) => b.id === batchId);
  if (!batch?.items.some((item) => item.status === 'failed')) return;
  set(
    batches.map((b) =>
      b.id === batchId
        ? {
            ...b,
            items: b.items.map((item) =>
              item.status === 'failed'
                ? { key: item.key, file: item.file, sent: 0, status: 'waiting' }
                : item,
            ),
          }
        : b,
    ),
  );
  void run(batchId);
}

/** Stops the batch's upload and forgets it; nothing is sent. */
export function cancelBatch(batchId: string): void {
  const batch = batches.find((b) => b.id === batchId);
  if (!batch) return;
  for (const item of batch.items) {
    running.get(item.key)?.abort();
    running.delete(item.key);
  }
  set(batches.filter((b) => b.id !== batchId));
}

// Another account may sign in next in this tab: its uploads stop.
store.subscribe(() => {
  if (store.state.phase === 'signedOut' && batches.length > 0) {
    for (const batch of batches) cancelBatch(batch.id);
  }
});

const NONE: UploadBatch[] = [];
let cachedFor: { all: UploadBatch[]; chatId: string; mine: UploadBatch[] } | undefined;

/** The batches of a chat still uploading (or failed), oldest first. */
export function useUploads(chatId: string): UploadBatch[] {
  return useSyncExternalStore(subscribe, () => {
    if (cachedFor?.all === batches && cachedFor.chatId === chatId) return cachedFor.mine;
    const mine = batches.filter((b) => b.chatId === chatId);
    cachedFor = { all: batches, chatId, mine: mine.length ? mine : NONE };
    return cachedFor.mine;
  });
}
