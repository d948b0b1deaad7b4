import {
  isPublicMethod,
  type MethodName,
  type MethodParams,
  type MethodResult,
} from '@tokki/protocol';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Emitter, type Listener } from './emitter.js';
import { TokkiError } from './errors.js';
import { newClientMsgId, retryUntilDone } from './messages.js';
import { Realtime, type ClientEvents, type ConnectionState } from './realtime.js';
import { methodUrl, webSocketUrl, type WebSocketConstructor } from './websocket.js';

/** Options for {@link TokkiClient}. */
export interface TokkiClientOptions {
  /** The server's base URL, e.g. `https://tokki.example` (no `/v1`). */
  server: string;
  /** A device token from an earlier `signIn`. */
  token?: string;
  /** The last pts this device applied, from storage: the first `connect` resumes from it. */
  pts?: number;
  /** Called after every update is applied (and after a reload), to persist the pts. */
  onPts?: (pts: number) => void;
  /** Called when the token changes (sign-in, sign-out, revoked), to persist it. */
  onToken?: (token: string | undefined) => void;
  /** Defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Defaults to `globalThis.WebSocket`, else the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** How long a call, or opening the realtime connection, may take. Default 30 s. */
  requestTimeoutMs?: number;
  /** Reconnect and resend delays. Default 0.5 s doubling to 10 s, with jitter. */
  backoff?: BackoffOptions;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call: it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options for {@link TokkiClient.sendMessage}. */
export interface SendMessageOptions {
  /** Reuse an id to resend a message from an earlier session; a new one by default. */
  clientMsgId?: string;
  /** Stops retrying (the message may or may not have been sent). */
  signal?: AbortSignal;
  /** Called when an attempt failed on the connection and another will follow. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Answer (quote) this message of the same chat. */
  replyToSeq?: number;
  /** Files uploaded to this chat (`/v1/uploads`) to send, in order; `text` is then their caption. */
  fileIds?: string[];
}

/** Parameters of {@link TokkiClient.signIn}. */
export type SignInParams = MethodParams<'auth.signIn'>;

/**
 * The typed Tokki client: calls over HTTP or, once connected, over the realtime WebSocket, and
 * delivers updates in order with nothing missed or doubled across reconnects.
 *
 * @example
 * const client = new TokkiClient({ server: 'http://localhost:8080' })
 * await client.requestCode('+821012345678')
 * await client.signIn({ phone: '+821012345678', code: '123456' })
 * client.on('update', ({ update }) => console.log(update.kind))
 * await client.connect()
 */
export class TokkiClient {
  readonly #server: string;
  #token: string | undefined;
  readonly #onToken: ((token: string | undefined) => void) | undefined;
  readonly #fetch: typeof fetch | undefined;
  readonly #requestTimeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #emitter = new Emitter<ClientEvents>();
  readonly #realtime: Realtime;

  constructor(options: TokkiClientOptions) {
    this.#server = options.server;
    this.#token = options.token;
    this.#onToken = options.onToken;
    this.#fetch = options.fetch;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#realtime = new Realtime(
      {
        url: webSocketUrl(options.server),
        emitter: this.#emitter,
        getToken: () => this.#token,
        onRevoked: () => this.#setToken(undefined),
        onPts: options.onPts,
        WebSocket: options.WebSocket,
        requestTimeoutMs: this.#requestTimeoutMs,
        backoff: this.#backoff,
      },
      options.pts,
    );
  }

  /**
   * The device token, or undefined when signed out.
   *
   * @example localStorage.setItem('token', client.token ?? '')
   */
  get token(): string | undefined {
    return this.#token;
  }

  /**
   * The highest pts applied; undefined before the first sync of a new device.
   *
   * @example await storage.set('pts', client.pts)
   */
  get pts(): number | undefined {
    return this.#realtime.pts;
  }

  /**
   * Where the realtime connection is (see {@link ConnectionState}).
   *
   * @example if (client.state === 'revoked') showSignIn()
   */
  get state(): ConnectionState {
    return this.#realtime.state;
  }

  /**
   * Calls an API method with typed params and result. Over the WebSocket when it is synced,
   * otherwise over HTTP. Rejects with a {@link TokkiError}.
   *
   * @example const { chats } = await client.call('chats.list', { limit: 50 })
   */
  call<M extends MethodName>(
    method: M,
    params: MethodParams<M>,
    options: CallOptions = {},
  ): Promise<MethodResult<M>> {
    // Sign-in methods stay on HTTP: the socket belongs to an already signed-in device.
    if (!isPublicMethod(method) && this.#realtime.state === 'synced') {
      return this.#realtime.request(method, params, options.signal);
    }
    return this.#http(method, params, options.signal);
  }

  /**
   * Sends a sign-in code to a phone number (by SMS; printed by the server in local mode).
   *
   * @example await client.requestCode('+821012345678')
   */
  requestCode(phone: string): Promise<MethodResult<'auth.requestCode'>> {
    return this.call('auth.requestCode', { phone });
  }

  /**
   * Exchanges a code for a device token and keeps it on the client. Creates the account on the
   * first sign-in. The pts is reset: the new device starts with a reload.
   *
   * @example const { me } = await client.signIn({ phone: '+821012345678', code: '123456' })
   */
  async signIn(params: SignInParams): Promise<MethodResult<'auth.signIn'>> {
    const result = await this.call('auth.signIn', params);
    this.#realtime.disconnect();
    this.#realtime.resetPts(undefined);
    this.#setToken(result.token);
    return result;
  }

  /**
   * Closes the realtime connection, revokes this device's token and forgets it.
   *
   * @example await client.signOut()
   */
  async signOut(): Promise<void> {
    // Disconnect first so that the server's closing of the socket is not reported as 'revoked'.
    this.#realtime.disconnect();
    if (this.#token !== undefined) {
      try {
        await this.#http('auth.signOut', {}, undefined);
      } catch (error) {
        // An already refused token is as signed out as it gets.
        if (!(error instanceof TokkiError && error.code === 'UNAUTHENTICATED')) throw error;
      }
    }
    this.#realtime.resetPts(undefined);
    this.#setToken(undefined);
  }

  /**
   * Sends a text message and resolves once the server has durably stored it. Connection failures
   * are retried with the same `clientMsgId` until acknowledged, so the message is sent exactly
   * once; refusals such as NOT_MEMBER or TEXT_TOO_LONG reject at once.
   *
   * @example const { message } = await client.sendMessage(chatId, '안녕하세요')
   */
  sendMessage(
    chatId: string,
    text: string,
    options: SendMessageOptions = {},
  ): Promise<MethodResult<'messages.send'>> {
    const params = {
      chatId,
      text,
      clientMsgId: options.clientMsgId ?? newClientMsgId(),
      ...(options.replyToSeq !== undefined && { replyToSeq: options.replyToSeq }),
      ...(options.fileIds && { fileIds: options.fileIds }),
    };
    const { signal, onRetry } = options;
    return retryUntilDone(() => this.call('messages.send', params, { signal }), {
      backoff: this.#backoff,
      signal,
      onRetry,
      // A reconnect is the moment to resend, not whenever the backoff happens to end.
      wakeOn: (wake) => this.on('synced', wake),
    });
  }

  /**
   * Opens the realtime connection and keeps it open (reconnecting with backoff, resuming from the
   * last applied pts) until `disconnect()`, sign-out or the server refusing the token. Resolves
   * once synced; rejects with UNAUTHENTICATED if the token is refused first. Calling it again
   * while connected just waits for the next sync.
   *
   * @example await client.connect({ pts: Number(localStorage.getItem('pts')) || undefined })
   */
  connect(options: { pts?: number } = {}): Promise<void> {
    return this.#realtime.connect(options.pts);
  }

  /**
   * Closes the realtime connection without reconnecting; calls in flight on it reject.
   *
   * @example client.disconnect()
   */
  disconnect(): void {
    this.#realtime.disconnect();
  }

  /**
   * Listens to an event (see {@link ClientEvents}); returns a function that stops listening.
   *
   * @example const off = client.on('update', ({ pts, update }) => store.apply(update))
   */
  on<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#emitter.on(name, listener);
  }

  /**
   * Listens to the next `name` event only.
   *
   * @example client.once('synced', () => hideSpinner())
   */
  once<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#emitter.once(name, listener);
  }

  /**
   * Stops a listener added with `on`.
   *
   * @example client.off('update', onUpdate)
   */
  off<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents[K]>): void {
    this.#emitter.off(name, listener);
  }

  async #http<M extends MethodName>(
    method: M,
    params: MethodParams<M>,
    signal: AbortSignal | undefined,
  ): Promise<MethodResult<M>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!isPublicMethod(method)) {
      if (this.#token === undefined) {
        throw new TokkiError('UNAUTHENTICATED', 'Sign in first', { status: 401 });
      }
      headers.authorization = `Bearer ${this.#token}`;
    }
    signal?.throwIfAborted();

    // One controller for both the caller's signal and the timeout (AbortSignal.any is too new).
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timeout = TokkiError.connection(`${method} got no answer in time`);
    const timer = setTimeout(() => controller.abort(timeout), this.#requestTimeoutMs);
    const fetchImpl = this.#fetch ?? globalThis.fetch.bind(globalThis);

    let status: number;
    let body: string;
    try {
      const response = await fetchImpl(methodUrl(this.#server, method), {
        method: 'POST',
        headers,
        body: JSON.stringify(params),
        signal: controller.signal,
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.aborted) throw timeout;
      throw TokkiError.connection(`Could not reach ${this.#server}`, error);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      // Not from Tokki: a proxy's error page, most likely.
      if (status >= 502 && status <= 504) {
        throw new TokkiError('UNAVAILABLE', `The server is unavailable (${status})`, { status });
      }
      throw new TokkiError('INTERNAL', `Unexpected response (${status})`, { status, cause: error });
    }
    if (status >= 200 && status < 300) return json as MethodResult<M>;
    const error = (json as { error?: unknown } | null)?.error;
    throw TokkiError.fromBody(error, status);
  }

  #setToken(token: string | undefined): void {
    if (token === this.#token) return;
    this.#token = token;
    this.#onToken?.(token);
  }
}
