/** A listener for one event of an {@link Emitter}. */
export type Listener<T> = (payload: T) => void;

/**
 * A small typed event emitter that runs in browsers and Node alike (no `node:events`).
 * A listener that throws does not stop the others or the emitter; its error is rethrown on a
 * microtask so it still surfaces (like `EventTarget`).
 *
 * @example
 * const emitter = new Emitter<{ ping: number }>()
 * const off = emitter.on('ping', (n) => console.log(n))
 * emitter.emit('ping', 1); off()
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /**
   * Calls `listener` for every `name` event; returns a function that removes it.
   *
   * @example const off = client.on('update', ({ pts, update }) => apply(update))
   */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(name, listener);
  }

  /**
   * Calls `listener` for the next `name` event only; returns a function that removes it.
   *
   * @example client.once('synced', ({ pts }) => console.log('caught up at', pts))
   */
  once<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(name, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /**
   * Removes a listener added with `on`.
   *
   * @example client.off('update', onUpdate)
   */
  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(name)?.delete(listener as Listener<never>);
  }

  /**
   * Calls every listener of `name` with `payload`, in the order they were added.
   *
   * @example emitter.emit('state', 'synced')
   */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
