import type {
  ConnectParams,
  ConnectResult,
  ErrorBody,
  MethodName,
  MethodParams,
  ResponseFrame,
  ServerFrame,
  UpdateFrame,
} from '@tokki/protocol';
import WebSocket from 'ws';
import { monotonicMs } from '../stats/clock.js';

/** Answer to a call: the response frame, or null when the connection closed first. */
export type Answer = (frame: ResponseFrame | null, at: number) => void;

export interface DeviceListener {
  /** Whether `onUpdate` wants the updates at all; when not, they are only counted. */
  readonly wantsUpdates: boolean;
  /** Every `update` frame, stamped on arrival (before parsing anything else). */
  onUpdate(device: Device, frame: UpdateFrame, at: number): void;
}

/** How the server starts every update frame (`updateFrame` in the server's updates service). */
const UPDATE_PREFIX = Buffer.from('{"type":"update","pts":');

/**
 * One device's WebSocket, as lean as a load generator needs: pipelined calls answered through
 * callbacks, updates handed to a listener, pts checked for duplicates. No reconnects: a dropped
 * connection is a failure the scenario reports.
 */
export class Device {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Answer>();
  private closeWaiters: (() => void)[] = [];
  private currentWaiter: { updates: number; resolve: (at: number) => void } | undefined;
  /** pts of the last update received; anything at or below it again is a duplicate. */
  lastPts = 0;
  updates = 0;
  duplicateUpdates = 0;
  syncedPts: number | undefined;
  /** Known once `connect` succeeded. */
  userId: string | undefined;
  closed = false;
  closeCode: number | undefined;

  constructor(
    readonly key: string,
    readonly token: string,
    private readonly listener: DeviceListener,
  ) {}

  open(serverUrl: string, localAddress: string | undefined): Promise<void> {
    const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/v1/ws`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: 30_000,
      ...(localAddress && { localAddress }),
    });
    this.ws = ws;
    ws.on('message', (data: Buffer) => this.onMessage(data));
    ws.on('close', (code) => this.onClose(code));
    return new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }).then(() => {
      ws.on('error', () => {});
    });
  }

  /** Sends `connect`; the catch-up follows as updates, then `synced` (see `current()`). */
  connect(pts: number | undefined): Promise<ConnectResult> {
    const params: ConnectParams = { token: this.token, ...(pts !== undefined && { pts }) };
    return new Promise((resolve, reject) => {
      this.request('connect', params, (frame) => {
        if (!frame)
          return reject(new Error(`connection closed (${this.closeCode}) during connect`));
        if (frame.error) return reject(new Error(`connect refused: ${describe(frame.error)}`));
        const result = frame.result as ConnectResult;
        this.userId = result.userId;
        resolve(result);
      });
    });
  }

  /**
   * Resolves with the arrival time of the frame that made the device current: `synced` received
   * and at least `updates` updates in hand. Rejects if the connection closes first.
   */
  current(updates: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.currentWaiter = { updates, resolve };
      this.closeWaiters.push(() => reject(new Error(`connection closed (${this.closeCode})`)));
      this.checkCurrent(monotonicMs());
    });
  }

  private checkCurrent(at: number): void {
    const waiter = this.currentWaiter;
    if (!waiter || this.syncedPts === undefined || this.updates < waiter.updates) return;
    this.currentWaiter = undefined;
    waiter.resolve(at);
  }

  /** Sends a request without waiting; `answer` runs once with the response or null. */
  call<M extends MethodName>(method: M, params: MethodParams<M>, answer: Answer): void {
    this.request(method, params, answer);
  }

  private request(method: string, params: unknown, answer: Answer): void {
    if (!this.ws || this.closed) return answer(null, monotonicMs());
    const id = this.nextId++;
    this.waiting.set(id, answer);
    this.ws.send(JSON.stringify({ type: 'req', id, method, params }));
  }

  /** Closes the socket and resolves once it is closed. */
  close(): Promise<void> {
    if (!this.ws || this.closed) return Promise.resolve();
    const ws = this.ws;
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      ws.close();
      // A peer that never answers the close handshake.
      setTimeout(() => ws.terminate(), 5_000).unref();
    });
  }

  private onMessage(data: Buffer): void {
    const at = monotonicMs();
    // A catch-up of a thousand devices is a million update frames: when nobody needs their
    // content, read the pts off the front instead of parsing, so the generator keeps up.
    if (!this.listener.wantsUpdates) {
      const pts = leadingPts(data);
      if (pts !== undefined) return this.countUpdate(pts, at);
    }
    const frame = JSON.parse(data.toString()) as ServerFrame;
    switch (frame.type) {
      case 'update':
        this.countUpdate(frame.pts, at);
        if (this.listener.wantsUpdates) this.listener.onUpdate(this, frame, at);
        break;
      case 'updates':
        for (const { pts, update } of frame.updates) {
          this.countUpdate(pts, at);
          if (this.listener.wantsUpdates) {
            this.listener.onUpdate(this, { type: 'update', pts, update }, at);
          }
        }
        break;
      case 'res': {
        const answer = this.waiting.get(frame.id as number);
        if (!answer) break;
        this.waiting.delete(frame.id as number);
        answer(frame, at);
        break;
      }
      case 'synced':
        this.syncedPts = frame.pts;
        this.checkCurrent(at);
        break;
      default:
        break;
    }
  }

  private countUpdate(pts: number, at: number): void {
    this.updates += 1;
    if (pts <= this.lastPts) this.duplicateUpdates += 1;
    else this.lastPts = pts;
    if (this.currentWaiter) this.checkCurrent(at);
  }

  private onClose(code: number): void {
    this.closed = true;
    this.closeCode = code;
    const at = monotonicMs();
    for (const answer of this.waiting.values()) answer(null, at);
    this.waiting.clear();
    for (const done of this.closeWaiters) done();
    this.closeWaiters = [];
    this.currentWaiter = undefined;
  }
}

export function describe(error: ErrorBody): string {
  return `${error.code}: ${error.message}`;
}

/** The pts of an update frame in the server's own layout, or undefined for any other frame. */
export function leadingPts(data: Buffer): number | undefined {
  if (
    data.length <= UPDATE_PREFIX.length ||
    data.compare(UPDATE_PREFIX, 0, UPDATE_PREFIX.length, 0, UPDATE_PREFIX.length) !== 0
  )
    return undefined;
  let pts = 0;
  let i = UPDATE_PREFIX.length;
  for (; i < data.length; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) break;
    pts = pts * 10 + digit;
  }
  return i > UPDATE_PREFIX.length && data[i] === 44 /* , */ ? pts : undefined;
}
