// The page the Chromium tests load (bundled by harness.ts): the vector runner and the IndexedDB
// state store, reachable from Playwright as `window.tokkiE2e`. Bytes cross as number arrays.
import { isE2eError } from '../errors.js';
import { indexedDbStateStore, STATE_DATABASE } from '../indexeddb-state-store.js';
import { keyImage } from '../key-image.js';
import { safetyNumber } from '../safety-number.js';
import { runVectorFile, VECTOR_FILES, type VectorFileResult } from '../vectors/index.js';

const api = {
  /** Fetches each shipped vector file from the test server and runs it here, in the page. */
  async runVectors(): Promise<VectorFileResult[]> {
    const results: VectorFileResult[] = [];
    for (const file of VECTOR_FILES) {
      const response = await fetch(`/vectors/${file}.json`);
      if (!response.ok) throw new Error(`${file}.json: HTTP ${response.status}`);
      results.push(await runVectorFile(file, await response.json()));
    }
    return results;
  },

  /** Runs the given entries (a test's changed copy) through the same checks. */
  runVectorEntries(file: string, entries: unknown): Promise<VectorFileResult> {
    return runVectorFile(file, entries);
  },

  /** The safety number and key image of two sides whose keys are given as number arrays. */
  async verification(
    a: { userId: string; keys: number[][] },
    b: { userId: string; keys: number[][] },
  ): Promise<{ safetyNumber: string; keyImage: number[][] }> {
    const side = (s: typeof a) => ({
      userId: s.userId,
      keys: s.keys.map((k) => Uint8Array.from(k)),
    });
    return {
      safetyNumber: await safetyNumber(side(a), side(b)),
      keyImage: await keyImage(side(a), side(b)),
    };
  },

  async save(name: string, bytes: number[]): Promise<void> {
    await indexedDbStateStore({ name }).save(Uint8Array.from(bytes));
  },

  /** The loaded bytes, null when nothing is saved, or the E2eError code when refused. */
  async load(name: string): Promise<number[] | null | { error: string }> {
    try {
      const bytes = await indexedDbStateStore({ name }).load();
      return bytes === undefined ? null : Array.from(bytes);
    } catch (error) {
      return { error: isE2eError(error) ? error.code : String(error) };
    }
  },

  async clear(name: string): Promise<void> {
    await indexedDbStateStore({ name }).clear();
  },

  /** What script on the page can learn about the stored key. */
  async keyFacts(name: string): Promise<{
    isCryptoKey: boolean;
    extractable: boolean;
    algorithm: string;
    exportRefused: string | null;
  } | null> {
    const key = await raw<CryptoKey>('keys', name);
    if (key === undefined) return null;
    let exportRefused: string | null = null;
    try {
      await crypto.subtle.exportKey('raw', key);
    } catch (error) {
      exportRefused = error instanceof DOMException ? error.name : String(error);
    }
    return {
      isCryptoKey: key instanceof CryptoKey,
      extractable: key.extractable,
      algorithm: key.algorithm.name,
      exportRefused,
    };
  },

  /** The stored record as it sits in IndexedDB. */
  async record(name: string): Promise<number[] | null> {
    const value = await raw<Uint8Array>('blobs', name);
    return value === undefined ? null : Array.from(value);
  },

  /** Writes a record directly, as a damaged or hostile profile would. */
  async putRecord(
    storeName: 'keys' | 'blobs',
    name: string,
    value: number[] | string,
  ): Promise<void> {
    await withStore(storeName, 'readwrite', (store) =>
      store.put(typeof value === 'string' ? value : Uint8Array.from(value), name),
    );
  },

  async putFreshKey(name: string): Promise<void> {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    await withStore('keys', 'readwrite', (store) => store.put(key, name));
  },

  async deleteRecord(storeName: 'keys' | 'blobs', name: string): Promise<void> {
    await withStore(storeName, 'readwrite', (store) => store.delete(name));
  },

  async count(storeName: 'keys' | 'blobs'): Promise<number> {
    return withStore(storeName, 'readonly', (store) => store.count());
  },
};

export type TokkiE2ePage = typeof api;
declare global {
  interface Window {
    tokkiE2e: TokkiE2ePage;
  }
}
window.tokkiE2e = api;

async function raw<T>(storeName: 'keys' | 'blobs', name: string): Promise<T | undefined> {
  return (await withStore(storeName, 'readonly', (store) => store.get(name))) as T | undefined;
}

function withStore<T>(
  storeName: 'keys' | 'blobs',
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(STATE_DATABASE);
    opening.onerror = () => reject(opening.error ?? new Error('open failed'));
    opening.onsuccess = () => {
      const db = opening.result;
      const transaction = db.transaction(storeName, mode);
      const req = work(transaction.objectStore(storeName));
      transaction.oncomplete = () => {
        db.close();
        resolve(req.result);
      };
      transaction.onerror = () => {
        db.close();
        reject(transaction.error ?? new Error('transaction failed'));
      };
    };
  });
}
