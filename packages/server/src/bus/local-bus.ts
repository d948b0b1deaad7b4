import type { Bus, BusMessages, BusTopic } from './bus.js';

type Handler = (message: never) => void;

/** The bus of a single node: synchronous, in order, in process. */
export class LocalBus implements Bus {
  private readonly handlers = new Map<BusTopic, Set<Handler>>();

  isReady(): boolean {
    return true;
  }

  publish<T extends BusTopic>(topic: T, message: BusMessages[T]): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      (handler as (message: BusMessages[T]) => void)(message);
    }
  }

  subscribe<T extends BusTopic>(topic: T, handler: (message: BusMessages[T]) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
