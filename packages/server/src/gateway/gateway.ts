import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, LIMITS } from '@tokki/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChatMembersMessage } from '../bus/bus.js';
import { clientAddress, trustFunction } from '../client-address.js';
import type { AppContext } from '../context.js';
import { withClientMsgId } from '../updates/frames.js';
import { Interest } from './interest.js';
import { Session, type Frame, type SessionHost } from './session.js';

const PING_INTERVAL_MS = 30_000;

/**
 * The WebSocket endpoint `/v1/ws`: accepts device connections and routes committed updates
 * from the bus to the sessions of the users they concern, in the order they were committed
 * (the bus delivers them in pts order). It follows on the bus the users connected here and
 * their chats (interest.ts), and nothing else.
 */
export class Gateway implements SessionHost {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  private readonly sessionsByUser = new Map<string, Set<Session>>();
  private readonly interest: Interest;
  private readonly unsubscribe: (() => void)[];
  private readonly pinger: NodeJS.Timeout;
  private readonly answeredPing = new WeakSet<WebSocket>();
  /** The HTTP API's rule (http/app.ts): a session sees the address its HTTP calls see. */
  private readonly trust: ReturnType<typeof trustFunction>;

  constructor(readonly ctx: AppContext) {
    const { bus } = ctx;
    this.trust = trustFunction(ctx.config.trustProxy);
    this.interest = new Interest(bus, (userId) => ctx.chats.activeChatIds(userId));
    bus.onMissed(() => this.resyncEveryone());
    this.unsubscribe = [
      bus.subscribe('chat.update', (m) => {
        const except = m.exceptUserIds && new Set(m.exceptUserIds);
        const { sender } = m;
        let own: string | undefined;
        this.toChatMembers(m.chatId, m.alsoUserIds, m.frame, (s, frame) => {
          const userId = s.principal!.userId;
          // A change to a message from before they joined: not theirs (the log skips it too).
          if (except?.has(userId)) return;
          if (sender && userId === sender.userId) {
            own ??= withClientMsgId(m.frame, sender.clientMsgId);
            s.deliver(m.pts, own);
          } else s.deliver(m.pts, frame);
        });
        this.delivered(m.at);
      }),
      bus.subscribe('chat.members', (m) => this.membersChanged(m)),
      bus.subscribe('chat.event', (m) =>
        this.toChatMembers(m.chatId, [], m.frame, (s, frame) => {
          if (s.principal?.userId !== m.exceptUserId) s.sendEvent(frame);
        }),
      ),
      bus.subscribe('user.update', (m) => {
        this.sessionsByUser.get(m.userId)?.forEach((s) => s.deliver(m.pts, m.frame));
        this.delivered(m.at);
      }),
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
        new Session(ws, this, clientAddress(request, this.trust));
      });
    });
  }

  register(session: Session): void {
    this.ctx.metrics.connections.inc();
    const userId = session.principal!.userId;
    let set = this.sessionsByUser.get(userId);
    if (!set) {
      this.sessionsByUser.set(userId, (set = new Set()));
      this.interest.add(userId);
      this.ctx.presence.connected(userId);
    }
    set.add(session);
  }

  following(userId: string): Promise<void> {
    return this.interest.ready(userId);
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
      this.interest.remove(userId);
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
   * Hands `frame` to the sessions of a chat's members here (and of `alsoUserIds`). It is encoded
   * once for all of them, not once per recipient.
   */
  private toChatMembers(
    chatId: string,
    alsoUserIds: string[],
    frame: string,
    sendTo: (session: Session, frame: Frame) => void,
  ): void {
    const members = this.interest.usersIn(chatId);
    if (!members && !alsoUserIds.some((id) => this.sessionsByUser.has(id))) return;
    const encoded = Buffer.from(frame);
    const send = (session: Session) => sendTo(session, encoded);
    for (const userId of members ?? []) this.sessionsByUser.get(userId)?.forEach(send);
    for (const userId of alsoUserIds) {
      if (!members?.has(userId)) this.sessionsByUser.get(userId)?.forEach(send);
    }
  }

  /**
   * Follows joins and leaves. A user here who joins a chat this node did not follow may have
   * missed what it published before the subscription began: their sessions read the log again.
   */
  private membersChanged({ chatId, added, removed }: ChatMembersMessage): void {
    for (const userId of removed) this.interest.left(chatId, userId);
    for (const userId of added) {
      if (this.interest.joined(chatId, userId)) this.resync(userId);
    }
  }

  private resync(userId: string): void {
    this.sessionsByUser.get(userId)?.forEach((session) => session.resync());
  }

  /** The bus may have lost messages: every user's chats and log are read again. */
  private resyncEveryone(): void {
    for (const userId of this.sessionsByUser.keys()) {
      void this.interest.reload(userId).catch(() => {});
      this.resync(userId);
    }
  }

  /** An update committed in a write that began at `at` has been handed to the connections. */
  private delivered(at: number): void {
    this.ctx.metrics.deliverySeconds.observe(Math.max(0, Date.now() - at) / 1000);
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
