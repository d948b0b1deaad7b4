import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { SecretError, type SecretStateStore } from '@tokki/sdk/secret';

interface Sealed {
  iv: Uint8Array;
  data: ArrayBuffer;
}

/**
 * The secret client's state in IndexedDB, sealed with AES-256-GCM under a WebCrypto key made
 * non-extractable: the key lives in IndexedDB beside it, usable by this origin's code but never
 * readable as bytes. (Interim until `@tokki/e2e` ships its IndexedDB store; same contract.)
 */
export class IndexedDbStateStore implements SecretStateStore {
  readonly #db: UseStore;

  constructor(name = 'tokki-secret') {
    this.#db = createStore(name, 'state');
  }

  async load(): Promise<Uint8Array | undefined> {
    const sealed = await get<Sealed>('state', this.#db);
    const key = await get<CryptoKey>('key', this.#db);
    if (!sealed) return undefined;
    try {
      if (!key) throw new Error('its key is gone');
      const iv = new Uint8Array(sealed.iv);
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed.data));
    } catch (error) {
      throw new SecretError('STATE_MISMATCH', 'The stored secret-chat state cannot be read', {
        cause: error,
      });
    }
  }

  async save(bytes: Uint8Array): Promise<void> {
    const key = await this.#key();
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new Uint8Array(bytes));
    await set('state', { iv, data } satisfies Sealed, this.#db);
  }

  async clear(): Promise<void> {
    await del('state', this.#db);
    await del('key', this.#db);
  }

  async #key(): Promise<CryptoKey> {
    const existing = await get<CryptoKey>('key', this.#db);
    if (existing) return existing;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    await set('key', key, this.#db);
    return key;
  }
}
