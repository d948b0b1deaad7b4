import {
  CLOSE_CODES,
  LIMITS,
  type ConnectParams,
  type ConnectResult,
  type Event,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type RequestId,
  type ResponseFrame,
  type ServerFrame,
  type UpdateEnvelope,
  type UpdateFrame,
} from '@tokki/protocol';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Emitter } from './emitter.js';
import { TokkiError } from './errors.js';
import { PtsCursor } from './pts.js';
import {
  resolveWebSocket,
  WEBSOCKET_OPEN,
  type CloseEventLike,
  type MessageEventLike,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket.js';

/**
 * Where the realtime connection is:
 * - `offline`: no socket (not connected yet, waiting to reconnect, or disconnected);
 * - `connecting`: opening the socket and authenticating;
 * - `connected`: authenticated, catching up on missed updates;
 * - `synced`: caught up; updates are live and calls go over the socket;
 * - `unauthenticated`: the token was refused; sign in again (no more reconnects);
 * - `revoked`: this device was signed out; the token is dropped (no more reconnects).
 */
export type ConnectionState =
  'offline' | 'connecting' | 'connected' | 'synced' | 'unauthenticated' | 'revoked';

/** Events of a {@link TokkiClient}, with what each listener receives. */
export interface ClientEvents {
  /** A change the user can see, in pts order, each pts once. */
  update: UpdateEnvelope;
  /** An ephemeral event (typing): no pts, never replayed. */
  event: Event;
  /** Catch-up after a (re)connect is complete; `pts` is the client's pts at that moment. */
  synced: { pts: number };
  /**
   * The server could not resume from the client's pts (too old, or none): reload chat state
   * (`chats.list`, `messages.history`), then keep applying updates.
   */
  reload: ConnectResult;
  /** The server accepted the token; catch-up follows. */
  connected: ConnectResult;
  /** The connection state changed. */
  state: ConnectionState;
  /** Something went wrong that no call is waiting for (a bad frame, a refused reconnect). */
  error: TokkiError;
}

/** What the realtime connection needs from its client. */
export interface RealtimeOptions {
  url: string;
  emitter: Emitter<ClientEvents>;
  getToken: () => string | undefined;
  /** The server said this device's token is dead (close code 1000 or 4003). */
  onRevoked: () => void;
  onPts: ((pts: number) => void) | undefined;
  WebSocket: WebSocketConstructor | undefined;
  requestTimeoutMs: number;
  backoff: BackoffOptions;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

const noop = () => {};

/**
 * One device's WebSocket to the server, kept open: it reconnects with backoff and resumes from the
 * last applied pts, so updates arrive in order with nothing missed and nothing twice.
 * Used through {@link TokkiClient}.
 */
export class Realtime {
  readonly #options: RealtimeOptions;
  readonly #cursor: PtsCursor;
  #state: ConnectionState = 'offline';
  /** True between `connect()` and `disconnect()` (or a terminal close): keep reconnecting. */
  #wanted = false;
  #socket: WebSocketLike | undefined;
  /** Bumped by every open attempt and by `disconnect()`, to abandon a stale asynchronous open. */
  #generation = 0;
  #attempt = 0;
  #retryAfterMs = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #connectId: number | undefined;
  #nextId = 1;
  readonly #pending = new Map<RequestId, Pending>();
  #waiters: Waiter[] = [];

  constructor(options: RealtimeOptions, pts?: number) {
    this.#options = options;
    this.#cursor = new PtsCursor(pts);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get pts(): number | undefined {
    return this.#cursor.value;
  }

  /** Replaces the pts: only while not connected (a new sign-in, a restored device). */
  resetPts(pts: number | undefined): void {
    this.#cursor.reset(pts);
  }

  /** Opens the connection (if not open) and resolves once it is synced. */
  connect(pts?: number): Promise<void> {
    if (!this.#options.getToken()) {
      return Promise.reject(
        new TokkiError('UNAUTHENTICATED', 'Sign in before connecting', { status: 401 }),
      );
    }
    if (!this.#wanted && pts !== undefined) this.#cursor.reset(pts);
    const synced = this.#whenSynced();
    if (!this.#wanted) {
      this.#wanted = true;
      this.#attempt = 0;
      void this.#open();
    }
    return synced;
  }

  /** Closes the connection and stops reconnecting. */
  disconnect(): void {
    this.#wanted = false;
    this.#generation++;
    clearTimeout(this.#reconnectTimer);
    this.#closeSocket(CLOSE_CODES.NORMAL);
    const error = TokkiError.connection('Disconnected');
    this.#failPending(error);
    this.#rejectWaiters(error);
    this.#setState('offline');
  }

  /** Sends a request over the synced socket; rejects with a connection error otherwise. */
  request<M extends MethodName>(
    method: M,
    params: MethodParams<M>,
    signal?: AbortSignal,
  ): Promise<MethodResult<M>> {
    const socket = this.#socket;
    if (!socket || this.#state !== 'synced' || socket.readyState !== WEBSOCKET_OPEN) {
      return Promise.reject(TokkiError.connection('The realtime connection is not open'));
    }
    const id = this.#nextId++;
    const data = JSON.stringify({ type: 'req', id, method, params });
    // The server closes the whole connection on an oversized frame; refuse just this request.
    if (byteLength(data) > LIMITS.MAX_FRAME_BYTES) {
      return Promise.reject(
        new TokkiError('PAYLOAD_TOO_LARGE', `The request is over ${LIMITS.MAX_FRAME_BYTES} bytes`, {
          status: 413,
        }),
      );
    }
    return new Promise<MethodResult<M>>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.#pending.delete(id);
        cleanup();
        reject(signal?.reason);
      };
      // No answer in time usually means a half-open connection, which nothing else detects in a
      // browser: give up on the socket too, so that the client reconnects.
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        cleanup();
        reject(TokkiError.connection(`${method} got no answer in time`));
        this.#drop(socket, 'A request timed out');
      }, this.#options.requestTimeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject, cleanup });
      try {
        socket.send(data);
      } catch (error) {
        this.#pending.delete(id);
        cleanup();
        reject(TokkiError.connection('Could not send on the realtime connection', error));
      }
    });
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    this.#setState('connecting');
    let WebSocketClass: WebSocketConstructor;
    try {
      WebSocketClass = await resolveWebSocket(this.#options.WebSocket);
    } catch (error) {
      this.#emitError(TokkiError.connection('No WebSocket implementation available', error));
      this.#scheduleReconnect();
      return;
    }
    if (generation !== this.#generation || !this.#wanted) return;

    let socket: WebSocketLike;
    try {
      socket = new WebSocketClass(this.#options.url);
    } catch (error) {
      this.#emitError(TokkiError.connection('Could not open the realtime connection', error));
      this.#setState('offline');
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    // Opening and authenticating must finish in time; a black-holed network otherwise hangs.
    this.#handshakeTimer = setTimeout(
      () => this.#drop(socket, 'Timed out connecting'),
      this.#options.requestTimeoutMs,
    );
    socket.onopen = () => this.#sendConnect(socket);
    socket.onmessage = (event: MessageEventLike) => this.#onMessage(socket, event.data);
    socket.onclose = (event: CloseEventLike) => this.#onClose(socket, event.code, event.reason);
    // Every error is followed by a close event, handled there. `ws` throws on an error event
    // that has no listener, so there must always be one.
    socket.onerror = noop;
  }

  #sendConnect(socket: WebSocketLike): void {
    if (socket !== this.#socket) return;
    const token = this.#options.getToken();
    if (!token) {
      this.#terminal('unauthenticated');
      return;
    }
    const params: ConnectParams = { token };
    const pts = this.#cursor.value;
    if (pts !== undefined) params.pts = pts;
    const id = this.#nextId++;
    this.#connectId = id;
    socket.send(JSON.stringify({ type: 'req', id, method: 'connect', params }));
  }

  #onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.#socket) return;
    let frame: ServerFrame;
    try {
      if (typeof data !== 'string') throw new TypeError('not a text frame');
      frame = JSON.parse(data) as ServerFrame;
      if (typeof frame !== 'object' || frame === null) throw new TypeError('not an object');
    } catch (error) {
      this.#emitError(
        new TokkiError('MALFORMED_FRAME', 'The server sent a bad frame', { cause: error }),
      );
      return;
    }
    switch (frame.type) {
      case 'res':
        this.#onResponse(socket, frame);
        return;
      case 'update':
        this.#onUpdate(frame);
        return;
      case 'updates':
        for (const update of frame.updates) this.#onUpdate(update);
        return;
      case 'synced':
        this.#setState('synced');
        this.#options.emitter.emit('synced', { pts: this.#cursor.value ?? frame.pts });
        this.#resolveWaiters();
        return;
      case 'event':
        this.#options.emitter.emit('event', frame.event);
        return;
      case 'error':
        this.#emitError(TokkiError.fromBody(frame.error));
        return;
      default:
        this.#emitError(new TokkiError('MALFORMED_FRAME', 'The server sent an unknown frame'));
    }
  }

  #onResponse(socket: WebSocketLike, frame: ResponseFrame): void {
    if (frame.id === this.#connectId) {
      this.#onConnected(socket, frame);
      return;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return; // timed out or aborted: the caller has moved on
    this.#pending.delete(frame.id);
    pending.cleanup();
    if (frame.error) pending.reject(TokkiError.fromBody(frame.error));
    else pending.resolve(frame.result);
  }

  #onConnected(socket: WebSocketLike, frame: ResponseFrame): void {
    this.#connectId = undefined;
    clearTimeout(this.#handshakeTimer);
    if (frame.error) {
      const error = TokkiError.fromBody(frame.error);
      if (error.code === 'UNAUTHENTICATED') {
        this.#terminal('unauthenticated');
        return;
      }
      this.#emitError(error);
      this.#retryAfterMs = (error.retryAfter ?? 0) * 1000;
      this.#drop(socket, error.message);
      return;
    }
    const result = frame.result as ConnectResult;
    this.#attempt = 0;
    // After a reload the client's state is the server's as of result.pts, whatever it was before.
    if (result.mode === 'reload') {
      this.#cursor.reset(result.pts);
      this.#notifyPts(result.pts);
    }
    this.#setState('connected');
    this.#options.emitter.emit('connected', result);
    if (result.mode === 'reload') this.#options.emitter.emit('reload', result);
  }

  #onUpdate(frame: Pick<UpdateFrame, 'pts' | 'update'>): void {
    if (!this.#cursor.advance(frame.pts)) return;
    this.#options.emitter.emit('update', { pts: frame.pts, update: frame.update });
    this.#notifyPts(frame.pts);
  }

  #onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    detach(socket);
    this.#socket = undefined;
    this.#connectId = undefined;
    clearTimeout(this.#handshakeTimer);
    this.#failPending(
      TokkiError.connection(
        `The realtime connection closed (${code}${reason ? `: ${reason}` : ''})`,
      ),
    );
    if (!this.#wanted) {
      this.#setState('offline');
    } else if (code === CLOSE_CODES.UNAUTHENTICATED) {
      this.#terminal('unauthenticated');
    } else if (code === CLOSE_CODES.TOKEN_REVOKED || code === CLOSE_CODES.NORMAL) {
      this.#terminal('revoked');
    } else {
      this.#setState('offline');
      this.#scheduleReconnect();
    }
  }

  /** Gives up on a socket the client no longer trusts, and reconnects. */
  #drop(socket: WebSocketLike, reason: string): void {
    if (socket !== this.#socket) return;
    detach(socket);
    try {
      socket.close();
    } catch {
      // already closing
    }
    this.#onClose(socket, 1006, reason);
  }

  #terminal(state: 'unauthenticated' | 'revoked'): void {
    this.#wanted = false;
    clearTimeout(this.#reconnectTimer);
    this.#closeSocket(CLOSE_CODES.NORMAL);
    const error =
      state === 'revoked'
        ? new TokkiError('UNAUTHENTICATED', 'This device was signed out', { status: 401 })
        : new TokkiError('UNAUTHENTICATED', 'The server refused the token', { status: 401 });
    this.#failPending(error);
    this.#rejectWaiters(error);
    if (state === 'revoked') this.#options.onRevoked();
    this.#setState(state);
  }

  #scheduleReconnect(): void {
    clearTimeout(this.#reconnectTimer);
    const delay = Math.max(
      this.#retryAfterMs,
      backoffDelay(this.#attempt++, this.#options.backoff),
    );
    this.#retryAfterMs = 0;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#wanted) void this.#open();
    }, delay);
  }

  #closeSocket(code: number): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    this.#connectId = undefined;
    clearTimeout(this.#handshakeTimer);
    detach(socket);
    try {
      socket.close(code);
    } catch {
      // already closing
    }
  }

  #whenSynced(): Promise<void> {
    if (this.#state === 'synced') return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    // Callers may fire and forget connect(); a failure is also reported as a state change.
    promise.catch(noop);
    return promise;
  }

  #resolveWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #rejectWaiters(error: TokkiError): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #failPending(error: TokkiError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) {
      request.cleanup();
      request.reject(error);
    }
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.emitter.emit('state', state);
  }

  #emitError(error: TokkiError): void {
    this.#options.emitter.emit('error', error);
  }

  #notifyPts(pts: number): void {
    try {
      this.#options.onPts?.(pts);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/** Stops a socket from reaching the client; keeps a no-op error listener for `ws`. */
function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = noop;
}

const encoder = new TextEncoder();

function byteLength(text: string): number {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short strings need no encoding.
  return text.length * 3 <= LIMITS.MAX_FRAME_BYTES ? text.length : encoder.encode(text).length;
}
