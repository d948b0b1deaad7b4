import type { Bus, BusMessages, BusTopic, InterestKind } from './bus.js';

type Handler = (message: never) => void;

/**
 * The bus of a single node: synchronous, in order, in process. Every message reaches every
 * handler, so watching changes nothing and nothing is ever missed.
 */
export class LocalBus implements Bus {
  private readonly handlers = new Map<BusTopic, Set<Handler>>();
  private online: (userId: string) => boolean = () => false;

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

  watch(_kind: InterestKind, _id: string): boolean {
    return false;
  }

  unwatch(_kind: InterestKind, _id: string): void {}

  async settled(): Promise<void> {}

  committed(_after: number, _through: number): void {}

  onMissed(_handler: () => void): void {}

  async askOnline(userId: string): Promise<boolean> {
    return this.online(userId);
  }

  answerOnline(handler: (userId: string) => boolean): void {
    this.online = handler;
  }

  async roundTrip(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
