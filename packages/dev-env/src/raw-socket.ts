import WebSocket from 'ws';
import type {
  ConnectResult,
  MethodName,
  MethodResult,
  ResponseFrame,
  ServerFrame,
  Update,
} from '@tokki/protocol';

/** Any frame the server sent, parsed (trusted to follow the protocol: tests check its content). */
export type Frame = ServerFrame;

/** The answer to `request(method)`: its method's result type when the method is known. */
export type ResponseTo<M extends string> = ResponseFrame & {
  result?: M extends MethodName ? MethodResult<M> : M extends 'connect' ? ConnectResult : unknown;
};

/**
 * A bare WebSocket to `/v1/ws` that records every frame, for tests of the wire protocol itself
 * (apps use `@tokki/sdk`).
 */
export class RawSocket {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  private nextId = 1;
  private waiters: { test: () => boolean; resolve: () => void }[] = [];
  private readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        this.wake();
        resolve(code);
      }),
    );
  }

  /** `options`: headers (a proxy's X-Forwarded-For), `ca` (a test CA's root, for wss://)… */
  static async open(serverUrl: string, options?: WebSocket.ClientOptions): Promise<RawSocket> {
    const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/v1/ws`, options);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawSocket(ws);
  }

  /** Opens, sends `connect` and waits for the catch-up to finish (`synced`). */
  static async connect(
    serverUrl: string,
    token: string,
    pts?: number,
    options?: WebSocket.ClientOptions,
  ): Promise<RawSocket> {
    const socket = await RawSocket.open(serverUrl, options);
    const res = await socket.request('connect', pts === undefined ? { token } : { token, pts });
    if (res.error) throw new Error(`connect failed: ${JSON.stringify(res.error)}`);
    await socket.waitFor((f) => f.type === 'synced');
    return socket;
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a `req` frame and resolves with its `res` frame (result or error). */
  async request<M extends string>(method: M, params?: unknown): Promise<ResponseTo<M>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'req', id, method, params }));
    return this.waitFor((f): f is ResponseTo<M> => f.type === 'res' && f.id === id);
  }

  /** The first frame (already received or coming) that matches; rejects on close or timeout. */
  async waitFor<F extends Frame>(
    match: (frame: Frame) => frame is F,
    timeoutMs?: number,
  ): Promise<F>;
  async waitFor(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  async waitFor(match: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    let found: Frame | undefined;
    const test = () =>
      (found = this.frames.find(match)) !== undefined || this.closeCode !== undefined;
    if (!test()) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('timed out waiting for a frame')),
          timeoutMs,
        );
        this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      });
    }
    if (!found) throw new Error(`socket closed (${this.closeCode}) before the frame arrived`);
    return found;
  }

  /** Updates received so far, in arrival order. */
  updates(): { pts: number; update: Update }[] {
    return this.frames.flatMap((f) =>
      f.type === 'update' ? [f] : f.type === 'updates' ? f.updates : [],
    );
  }

  async waitForUpdates(count: number, timeoutMs = 20_000): Promise<void> {
    await this.waitFor(() => this.updates().length >= count, timeoutMs);
  }

  waitForClose(): Promise<number> {
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.test()) return true;
      w.resolve();
      return false;
    });
  }
}
