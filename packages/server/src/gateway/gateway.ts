import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, LIMITS } from '@tokki/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContext } from '../context.js';
import { Session, type Frame, type SessionHost } from './session.js';

const PING_INTERVAL_MS = 30_000;

/**
 * The WebSocket endpoint `/v1/ws`: accepts device connections and routes committed updates
 * from the bus to the sessions of the users they concern, in the order they were committed.
 */
export class Gateway implements SessionHost {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  private readonly sessionsByUser = new Map<string, Set<Session>>();
  private readonly unsubscribe: (() => void)[];
  /** Deliveries waiting on a member list from the database keep later ones behind them. */
  private readonly pending: (() => void | Promise<void>)[] = [];
  private dispatching = false;
  private readonly pinger: NodeJS.Timeout;
  private readonly answeredPing = new WeakSet<WebSocket>();

  constructor(readonly ctx: AppContext) {
    const { bus } = ctx;
    this.unsubscribe = [
      bus.subscribe('chat.update', (m) =>
        this.dispatch(() => {
          const sent = this.toChatMembers(m.chatId, m.alsoUserIds, m.frame, (s, frame) =>
            s.deliver(m.pts, frame),
          );
          return sent ? sent.then(() => this.delivered(m.at)) : this.delivered(m.at);
        }),
      ),
      bus.subscribe('chat.event', (m) =>
        this.dispatch(() =>
          this.toChatMembers(m.chatId, [], m.frame, (s, frame) => {
            if (s.principal?.userId !== m.exceptUserId) s.sendEvent(frame);
          }),
        ),
      ),
      bus.subscribe('user.update', (m) =>
        this.dispatch(() => {
          this.sessionsByUser.get(m.userId)?.forEach((s) => s.deliver(m.pts, m.frame));
          this.delivered(m.at);
        }),
      ),
      bus.subscribe('device.revoked', (m) =>
        this.sessionsByUser.get(m.userId)?.forEach((s) => {
          if (s.principal?.deviceId === m.deviceId)
            s.close(CLOSE_CODES.TOKEN_REVOKED, 'device revoked');
        }),
      ),
    ];
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/v1/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        this.answeredPing.add(ws);
        ws.on('pong', () => this.answeredPing.add(ws));
        new Session(ws, this, request.socket.remoteAddress ?? 'unknown');
      });
    });
  }

  register(session: Session): void {
    this.ctx.metrics.connections.inc();
    const userId = session.principal!.userId;
    let set = this.sessionsByUser.get(userId);
    if (!set) {
      this.sessionsByUser.set(userId, (set = new Set()));
      this.ctx.presence.connected(userId);
    }
    set.add(session);
  }

  unregister(session: Session): void {
    const userId = session.principal?.userId;
    if (!userId) return;
    this.ctx.presence.unwatch(session);
    const set = this.sessionsByUser.get(userId);
    if (!set?.delete(session)) return;
    this.ctx.metrics.connections.dec();
    if (set.size === 0) {
      this.sessionsByUser.delete(userId);
      this.ctx.presence.disconnected(userId);
    }
  }

  /** Closes every connection with 1001 so clients reconnect (to another node). */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const off of this.unsubscribe) off();
    for (const set of [...this.sessionsByUser.values()]) {
      for (const session of [...set]) session.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
    }
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /**
   * Hands `frame` to the sessions of a chat's members (and of `alsoUserIds`). It is encoded once
   * for all of them, not once per recipient.
   */
  private toChatMembers(
    chatId: string,
    alsoUserIds: string[],
    frame: string,
    sendTo: (session: Session, frame: Frame) => void,
  ) {
    const deliver = (members: ReadonlySet<string>) => {
      const encoded = Buffer.from(frame);
      const send = (session: Session) => sendTo(session, encoded);
      // Walk whichever is smaller: the chat's members or the users connected here.
      if (members.size <= this.sessionsByUser.size) {
        for (const userId of members) this.sessionsByUser.get(userId)?.forEach(send);
      } else {
        for (const [userId, sessions] of this.sessionsByUser)
          if (members.has(userId)) sessions.forEach(send);
      }
      for (const userId of alsoUserIds)
        if (!members.has(userId)) this.sessionsByUser.get(userId)?.forEach(send);
    };
    const cached = this.ctx.chats.cachedMemberIds(chatId);
    if (cached) return deliver(cached);
    return this.ctx.chats.memberIds(chatId).then(deliver);
  }

  /** An update committed in a write that began at `at` has been handed to the connections. */
  private delivered(at: number): void {
    this.ctx.metrics.deliverySeconds.observe(Math.max(0, Date.now() - at) / 1000);
  }

  /** Runs deliveries strictly in bus order; synchronous ones run at once. */
  private dispatch(task: () => void | Promise<void>): void {
    this.pending.push(task);
    if (!this.dispatching) void this.drain();
  }

  private async drain(): Promise<void> {
    this.dispatching = true;
    while (this.pending.length > 0) {
      const result = this.pending.shift()!();
      if (result) {
        await result.catch((error: unknown) =>
          this.ctx.logger.error({ err: error }, 'delivery failed'),
        );
      }
    }
    this.dispatching = false;
  }

  /** Drops connections that did not answer the previous ping (a dead network path). */
  private ping(): void {
    for (const client of this.wss.clients) {
      if (!this.answeredPing.has(client)) {
        client.terminate();
        continue;
      }
      this.answeredPing.delete(client);
      client.ping();
    }
  }
}
