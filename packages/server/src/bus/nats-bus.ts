import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import {
  ORDERED_TOPICS,
  type Bus,
  type BusMessages,
  type BusTopic,
  type InterestKind,
  type Publication,
} from './bus.js';
import { Sequencer } from './sequencer.js';

/** What the bus reads from the database: where the log is, and what it holds. */
export interface PublishedLog {
  currentPts(): Promise<number>;
  /** What was published for the pts after `after` up to `through` (updates/replay.ts). */
  readPublished(after: number, through: number): Promise<Publication[]>;
  /** The widest gap worth reading; a wider one makes every session read its own log. */
  readonly maxReplay: number;
}

export interface NatsBusOptions {
  url: string;
  log: PublishedLog;
  logger: Logger;
  /** How long a missing pts is waited for before it is read from the log. */
  stallMs?: number;
}

const PREFIX = 'tokki';
const COMMITS = `${PREFIX}.commits`;
const BROADCAST = `${PREFIX}.all`;
const ONLINE_QUERY = 'online?';
const ONLINE_WAIT_MS = 500;
const DEFAULT_STALL_MS = 200;

type Handler = (message: never) => void;

/**
 * The cluster bus on NATS (docs/adr/007-cluster-delivery.md). Messages go to subjects by chat
 * (`tokki.chat.<id>`) and by user (`tokki.user.<id>`, `tokki.presence.<id>`), which a node
 * subscribes to while a connection here cares; only batch announcements (`tokki.commits`) and
 * device revocations go to every node. The ordered topics pass through a sequencer, so handlers
 * see them in pts order as on one node; a gap no node fills is read from the log.
 *
 * If the connection to NATS drops, the node is not ready and hears nothing; once it is back,
 * every session reads its own log again (`onMissed`).
 */
export class NatsBus implements Bus {
  private readonly handlers = new Map<BusTopic, Set<Handler>>();
  private readonly subscriptions = new Map<string, { subscription: Subscription; count: number }>();
  private readonly sequencer: Sequencer;
  private readonly missedHandlers: (() => void)[] = [];
  private online: (userId: string) => boolean = () => false;
  private connected = true;
  private closed = false;

  /** Connects, or throws with what went wrong: a node does not start without its bus. */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.url,
        name: 'tokki',
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: 5_000,
      });
    } catch (error) {
      throw new Error(`Cannot reach the bus at ${options.url}: ${(error as Error).message}`);
    }
    const bus = new NatsBus(nc, options, 0);
    try {
      await bus.start();
    } catch (error) {
      await nc.close();
      throw error;
    }
    return bus;
  }

  private constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsBusOptions,
    position: number,
  ) {
    this.sequencer = new Sequencer(position, {
      stallMs: options.stallMs ?? DEFAULT_STALL_MS,
      onStall: (at) => this.fillGap(at),
    });
  }

  /** Hears the announcements before reading where the log is: no batch falls between. */
  private async start(): Promise<void> {
    this.nc.subscribe(COMMITS, { callback: (_error, msg) => this.onCommitted(msg) });
    this.nc.subscribe(BROADCAST, { callback: (_error, msg) => this.onMessage(msg) });
    await this.nc.flush();
    this.sequencer.skipTo(await this.options.log.currentPts());
    void this.followStatus();
  }

  isReady(): boolean {
    return this.connected && !this.closed;
  }

  publish<T extends BusTopic>(topic: T, message: BusMessages[T]): void {
    if (this.closed) return;
    const data = encode(topic, message);
    for (const subject of subjectsOf(topic, message)) this.nc.publish(subject, data);
  }

  subscribe<T extends BusTopic>(topic: T, handler: (message: BusMessages[T]) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  watch(kind: InterestKind, id: string): boolean {
    const subject = `${PREFIX}.${kind}.${id}`;
    const existing = this.subscriptions.get(subject);
    if (existing) {
      existing.count++;
      return false;
    }
    const subscription = this.nc.subscribe(subject, {
      callback: (_error, msg) => this.onMessage(msg),
    });
    this.subscriptions.set(subject, { subscription, count: 1 });
    return true;
  }

  unwatch(kind: InterestKind, id: string): void {
    const subject = `${PREFIX}.${kind}.${id}`;
    const existing = this.subscriptions.get(subject);
    if (!existing || --existing.count > 0) return;
    this.subscriptions.delete(subject);
    existing.subscription.unsubscribe();
  }

  async settled(): Promise<void> {
    if (!this.closed) await this.nc.flush();
  }

  committed(after: number, through: number): void {
    if (!this.closed && through > after) this.nc.publish(COMMITS, `${after} ${through}`);
  }

  onMissed(handler: () => void): void {
    this.missedHandlers.push(handler);
  }

  async askOnline(userId: string): Promise<boolean> {
    try {
      const reply = await this.nc.request(`${PREFIX}.user.${userId}`, ONLINE_QUERY, {
        timeout: ONLINE_WAIT_MS,
      });
      return reply.string() === '1';
    } catch {
      // No node has them (no responders), or none answered in time.
      return false;
    }
  }

  answerOnline(handler: (userId: string) => boolean): void {
    this.online = handler;
  }

  async roundTrip(): Promise<number> {
    return (await this.nc.rtt()) / 1000;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sequencer.close();
    this.handlers.clear();
    // What was published is sent before the connection closes (a node's last announcements).
    if (this.connected) await this.nc.drain().catch(() => this.nc.close());
    else await this.nc.close();
  }

  private onCommitted(msg: Msg): void {
    const [after, through] = msg.string().split(' ').map(Number);
    if (Number.isSafeInteger(after) && Number.isSafeInteger(through))
      this.sequencer.announce(after!, through!);
  }

  private onMessage(msg: Msg): void {
    if (this.closed) return;
    const text = msg.string();
    if (text === ONLINE_QUERY) {
      const userId = msg.subject.slice(`${PREFIX}.user.`.length);
      if (msg.reply && this.online(userId)) msg.respond('1');
      return;
    }
    let decoded: Publication;
    try {
      decoded = decode(text);
    } catch (error) {
      this.options.logger.warn({ err: error, subject: msg.subject }, 'unreadable bus message');
      return;
    }
    this.receive(decoded);
  }

  private receive({ topic, message }: Publication): void {
    if (!ORDERED_TOPICS.has(topic)) return this.emit(topic, message);
    const { pts } = message as { pts: number };
    const key = `${topic} ${pts} ${keyOf(message)}`;
    this.sequencer.add(pts, key, () => this.emit(topic, message));
  }

  private emit(topic: BusTopic, message: unknown): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        (handler as (message: unknown) => void)(message);
      } catch (error) {
        this.options.logger.error({ err: error, topic }, 'bus handler failed');
      }
    }
  }

  /**
   * The position waits on pts no node announced: their node died after committing them, or the
   * announcement was lost. They are committed (the counter's lock orders commits), so the log
   * has them: read what they published, or have every session read its own log if the gap is
   * too wide.
   */
  private async fillGap(at: number): Promise<void> {
    const { log, logger } = this.options;
    try {
      const current = await log.currentPts();
      if (current <= at || this.closed || this.sequencer.position !== at) return;
      logger.warn({ after: at, through: current }, 'reading unannounced updates from the log');
      if (current - at > log.maxReplay) return this.missedEverything(current);
      for (const publication of await log.readPublished(at, current)) this.receive(publication);
      this.sequencer.skipTo(current);
    } catch (error) {
      logger.error({ err: error }, 'reading a gap from the log failed');
    }
  }

  /** Every session reads its own log up to at least `through`; nothing below it is waited for. */
  private missedEverything(through: number): void {
    for (const handler of this.missedHandlers) handler();
    this.sequencer.skipTo(through);
  }

  private async followStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (this.closed) return;
      if (status.type === 'disconnect') {
        this.connected = false;
        this.options.logger.warn('lost the bus; not ready until it is back');
      } else if (status.type === 'reconnect') {
        void this.rejoin();
      }
    }
  }

  /** Back on the bus: subscriptions are renewed, then every session catches up from the log. */
  private async rejoin(): Promise<void> {
    try {
      await this.nc.flush();
      const current = await this.options.log.currentPts();
      this.missedEverything(current);
      this.connected = true;
      this.options.logger.info('back on the bus');
    } catch (error) {
      this.options.logger.error({ err: error }, 'rejoining the bus failed');
      // The next reconnect tries again; until then the node stays not ready.
    }
  }
}

/** The subjects a message goes to: its chat's, its users', or every node's. */
function subjectsOf<T extends BusTopic>(topic: T, message: BusMessages[T]): string[] {
  const m = message as Partial<BusMessages['chat.update'] & BusMessages['chat.members']> & {
    userId?: string;
  };
  switch (topic) {
    case 'chat.update':
      return [`${PREFIX}.chat.${m.chatId}`, ...m.alsoUserIds!.map((id) => `${PREFIX}.user.${id}`)];
    case 'chat.members':
      return [
        `${PREFIX}.chat.${m.chatId}`,
        ...[...m.added!, ...m.removed!].map((id) => `${PREFIX}.user.${id}`),
      ];
    case 'chat.updateRewritten':
    case 'chat.event':
      return [`${PREFIX}.chat.${m.chatId}`];
    case 'user.update':
      return [`${PREFIX}.user.${m.userId}`];
    case 'presence':
      return [`${PREFIX}.presence.${m.userId}`];
    default:
      return [BROADCAST];
  }
}

/** Which copy of an ordered message this is: its chat's or user's (a pts may carry several). */
function keyOf(message: unknown): string {
  const m = message as { chatId?: string; userId?: string };
  return m.chatId ?? m.userId ?? '';
}

/**
 * `{"topic":…, "message":{…}}`, with a frame (already JSON) after a newline instead of inside,
 * where it would be escaped and parsed again by every node.
 */
function encode(topic: BusTopic, message: unknown): string {
  const { frame, ...rest } = message as { frame?: string };
  const head = JSON.stringify({ topic, message: rest });
  return frame === undefined ? head : `${head}\n${frame}`;
}

function decode(text: string): Publication {
  const newline = text.indexOf('\n');
  const head = JSON.parse(newline < 0 ? text : text.slice(0, newline)) as Publication;
  if (newline >= 0) (head.message as { frame?: string }).frame = text.slice(newline + 1);
  return head;
}
