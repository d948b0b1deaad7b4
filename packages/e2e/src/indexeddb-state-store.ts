// The browser's encrypted state (ADR 008): each blob is AES-256-GCM ciphertext in IndexedDB,
// under a WebCrypto key generated non-extractable and kept in IndexedDB too (a CryptoKey
// survives structured clone). Script on the page can use the key but never read it, and the
// stored records are ciphertext only.
import { E2eError } from './errors.js';
import {
  buildStateEnvelope,
  checkStateBytes,
  checkStateName,
  parseStateEnvelope,
  stateAssociatedData,
  STATE_IV_BYTES,
  type SecretStateStore,
} from './state-store.js';

/** The database every Tokki state store shares; one record per name in each object store. */
export const STATE_DATABASE = 'tokki-secret-state';
const KEYS = 'keys';
const BLOBS = 'blobs';

/**
 * A state store in this origin's IndexedDB.
 * @example const store = indexedDbStateStore({ name: `group-${chatId}` });
 */
export function indexedDbStateStore(
  options: { name?: string; database?: string } = {},
): SecretStateStore {
  const name = checkStateName(options.name ?? 'state');
  const database = options.database ?? STATE_DATABASE;
  const associatedData = stateAssociatedData(name);

  async function key(create: boolean): Promise<CryptoKey | undefined> {
    const db = await openDatabase(database);
    try {
      const existing = await request(db.transaction(KEYS).objectStore(KEYS).get(name));
      if (existing !== undefined) {
        if (!(existing instanceof CryptoKey) || existing.algorithm.name !== 'AES-GCM') {
          throw new E2eError('MALFORMED', 'the stored state key is not an AES-GCM key');
        }
        return existing;
      }
      if (!create) return undefined;
      const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ]);
      // add(), not put(): if another tab made the key first, this fails and theirs is used.
      try {
        await complete(db, KEYS, 'readwrite', (store) => store.add(fresh, name));
      } catch (error) {
        if (!(error instanceof DOMException && error.name === 'ConstraintError')) throw error;
      }
      return (await request(db.transaction(KEYS).objectStore(KEYS).get(name))) as CryptoKey;
    } finally {
      db.close();
    }
  }

  return {
    async load() {
      const db = await openDatabase(database);
      let stored: unknown;
      try {
        stored = await request(db.transaction(BLOBS).objectStore(BLOBS).get(name));
      } finally {
        db.close();
      }
      if (stored === undefined) return undefined;
      if (!(stored instanceof Uint8Array)) {
        throw new E2eError('MALFORMED', 'the stored state is not bytes');
      }
      const cryptoKey = await key(false);
      if (cryptoKey === undefined) {
        throw new E2eError('TAMPERED', 'the state key is missing: the state cannot be read');
      }
      const { iv, sealed } = parseStateEnvelope(stored);
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv, additionalData: associatedData },
          cryptoKey,
          sealed,
        );
        return new Uint8Array(plain);
      } catch (error) {
        throw new E2eError('TAMPERED', 'the saved state failed authentication', { cause: error });
      }
    },

    async save(bytes) {
      checkStateBytes(bytes);
      const cryptoKey = (await key(true)) as CryptoKey;
      const iv = crypto.getRandomValues(new Uint8Array(STATE_IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: associatedData },
        cryptoKey,
        bytes.slice(),
      );
      const envelope = buildStateEnvelope(iv, new Uint8Array(sealed));
      const db = await openDatabase(database);
      try {
        await complete(db, BLOBS, 'readwrite', (store) => store.put(envelope, name));
      } finally {
        db.close();
      }
    },

    async clear() {
      // The key goes too: no copy of the ciphertext opens without it.
      const db = await openDatabase(database);
      try {
        const transaction = db.transaction([BLOBS, KEYS], 'readwrite');
        transaction.objectStore(BLOBS).delete(name);
        transaction.objectStore(KEYS).delete(name);
        await done(transaction);
      } finally {
        db.close();
      }
    },
  };
}

function openDatabase(database: string): Promise<IDBDatabase> {
  const opening = indexedDB.open(database, 1);
  opening.onupgradeneeded = () => {
    opening.result.createObjectStore(KEYS);
    opening.result.createObjectStore(BLOBS);
  };
  return request(opening);
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves when the transaction commits, so a save is durable when it resolves. */
async function complete(
  db: IDBDatabase,
  storeName: string,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest,
): Promise<void> {
  const transaction = db.transaction(storeName, mode);
  work(transaction.objectStore(storeName));
  await done(transaction);
}

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB aborted'));
  });
}
