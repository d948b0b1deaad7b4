import type { SecretStateStore } from '@tokki/e2e';

export type { SecretStateStore };

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
