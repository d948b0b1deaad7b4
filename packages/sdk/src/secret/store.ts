/**
 * Where a device's secret-chat state (identity, private keys, MLS groups, history) is kept between
 * runs, as one opaque blob. The stores that keep it encrypted at rest come from `@tokki/e2e`
 * (a `0600` file in Node, IndexedDB under a non-extractable key in browsers); this is their shape.
 */
export interface SecretStateStore {
  load(): Promise<Uint8Array | undefined>;
  save(bytes: Uint8Array): Promise<void>;
  clear(): Promise<void>;
}

/**
 * A store that keeps the state in memory only: for tests where persistence is not the point, and
 * for a session that must leave nothing behind.
 */
export class MemoryStateStore implements SecretStateStore {
  #bytes: Uint8Array | undefined;

  load(): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#bytes?.slice());
  }

  save(bytes: Uint8Array): Promise<void> {
    this.#bytes = bytes.slice();
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.#bytes = undefined;
    return Promise.resolve();
  }
}
