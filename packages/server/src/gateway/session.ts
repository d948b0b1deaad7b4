import {
  CLOSE_CODES,
  ConnectParams,
  LIMITS,
  RequestFrame,
  isMethodName,
  type ConnectResult,
  type ErrorBody,
  type RequestId,
} from '@tokki/protocol';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Principal, PresenceWatcher } from '../rpc/route.js';
import { invoke } from '../api/invoke.js';
import { validate } from '../api/validate.js';
import type { AppContext } from '../context.js';
import { ApiError, toApiError } from '../errors.js';
import { updatesFrame } from '../updates/frames.js';

/** Frames a slow reader may have queued before it is dropped (it reconnects and catches up). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface SessionHost {
  ctx: AppContext;
  register(session: Session): void;
  unregister(session: Session): void;
  /** Resolves once the bus delivers everything published for the user from now on. */
  following(userId: string): Promise<void>;
}

/** A serialized server frame: a Buffer when one encoding is shared by many recipients. */
export type Frame = string | Buffer;

type State = 'handshake' | 'authenticating' | 'catchingUp' | 'live' | 'closed';

/**
 * One device's WebSocket. After `connect` it replays the updates the device missed, then goes
 * live; updates committed meanwhile are held back and merged by pts, so the device sees every
 * update once and in order.
 */
export class Session implements PresenceWatcher {
  principal: Principal | null = null;
  private state: State = 'handshake';
  /** The last pts this device was sent: nothing at or below it is sent again. */
  private sentPts = 0;
  private held: { pts: number; frame: Frame }[] = [];
  /** Live updates may have been missed during this catch-up: read the log once more after it. */
  private readAgain = false;
  private invalidFrames = 0;
  /** Requests read and not yet answered (config's `requestsInFlightPerSocket`). */
  private inFlight = 0;
  private corked = false;
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly host: SessionHost,
    private readonly ip: string,
  ) {
    this.handshakeTimer = setTimeout(
      () => this.close(CLOSE_CODES.UNAUTHENTICATED, 'connect not sent in time'),
      LIMITS.HANDSHAKE_TIMEOUT_SECONDS * 1000,
    );
    socket.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    socket.on('close', () => this.onClosed());
    socket.on('error', () => {});
  }

  /** A committed update for this device's user, already serialized. */
  deliver(pts: number, frame: Frame): void {
    if (this.state === 'catchingUp') this.held.push({ pts, frame });
    else if (this.state === 'live' && pts > this.sentPts) {
      this.sentPts = pts;
      this.send(frame);
      this.host.ctx.metrics.delivered();
    }
  }

  /**
   * Live updates may have been missed (the node began following a chat of the user's, or lost
   * the bus): hold what comes, read the log from the last pts sent, then go live again.
   */
  resync(): void {
    if (this.state === 'catchingUp') this.readAgain = true;
    if (this.state !== 'live') return;
    this.state = 'catchingUp';
    this.readAgain = true;
    void this.replay(false).catch((error: unknown) => this.catchUpFailed(error));
  }

  get watcherUserId(): string {
    return this.principal!.userId;
  }

  /** An ephemeral frame (typing): sent only when live, never replayed. */
  sendEvent(frame: Frame): void {
    if (this.state === 'live') this.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.socket.close(code, reason);
    this.onClosed();
  }

  private onClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    this.held = [];
    this.host.unregister(this);
  }

  private send(frame: Frame): void {
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE_CODES.TRY_AGAIN_LATER, 'reader too slow; reconnect to catch up');
      return;
    }
    this.corkUntilNextTick();
    // A Buffer would go out as a binary frame unless told otherwise.
    this.socket.send(frame, { binary: false });
  }

  /**
   * Frames sent in one tick (a committed batch fans out many) leave in one write call
   * instead of one system call each.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    const tcp = (this.socket as unknown as { _socket?: Socket })._socket;
    if (!tcp) return;
    this.corked = true;
    tcp.cork();
    process.nextTick(() => {
      this.corked = false;
      tcp.uncork();
    });
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    let frame: RequestFrame;
    try {
      if (isBinary) throw new ApiError('MALFORMED_FRAME', 'Frames are JSON text.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString('utf8'));
      } catch {
        throw new ApiError('MALFORMED_FRAME', 'Frame is not valid JSON.');
      }
      const id = (parsed as { id?: unknown } | null)?.id;
      try {
        frame = validate<RequestFrame>(RequestFrame, parsed, 'frame');
      } catch (error) {
        const body = new ApiError('MALFORMED_FRAME', (error as Error).message).toBody();
        if (typeof id === 'string' || typeof id === 'number') this.respond(id, body);
        else this.sendError(body);
        return this.countInvalid();
      }
    } catch (error) {
      this.sendError(toApiError(error).toBody());
      return this.countInvalid();
    }
    this.invalidFrames = 0;
    void this.handle(frame);
  }

  private countInvalid(): void {
    if (++this.invalidFrames >= LIMITS.INVALID_FRAMES_MAX) {
      this.close(CLOSE_CODES.PROTOCOL_VIOLATION, 'too many invalid frames');
    }
  }

  private async handle(frame: RequestFrame): Promise<void> {
    try {
      if (frame.method === 'connect') return await this.connect(frame);
      if (!this.principal) {
        this.respond(frame.id, { code: 'UNAUTHENTICATED', message: 'Send connect first.' });
        return this.close(CLOSE_CODES.UNAUTHENTICATED, 'connect first');
      }
      if (!isMethodName(frame.method)) {
        throw new ApiError('UNKNOWN_METHOD', `Unknown method "${frame.method}".`);
      }
      // Refused, not queued: a client that does not wait for answers must not hold the server's
      // memory, nor be dropped for what may be a burst of retries after a reconnect.
      if (this.inFlight >= this.host.ctx.config.requestsInFlightPerSocket)
        throw new ApiError('RATE_LIMITED', 'Too many requests waiting for an answer.', 1);
      this.inFlight++;
      let result: unknown;
      try {
        result = await invoke(
          this.host.ctx,
          frame.method,
          { principal: this.principal, ip: this.ip, watcher: this },
          frame.params,
        );
      } finally {
        this.inFlight--;
      }
      this.respond(frame.id, undefined, result);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code === 'INTERNAL')
        this.host.ctx.logger.error({ err: error, method: frame.method }, 'request failed');
      this.respond(frame.id, apiError.toBody());
    }
  }

  private async connect(frame: RequestFrame): Promise<void> {
    if (this.state !== 'handshake') throw new ApiError('BAD_REQUEST', 'Already connected.');
    this.state = 'authenticating';
    const { ctx } = this.host;
    let params: ConnectParams;
    try {
      params = validate<ConnectParams>(ConnectParams, frame.params ?? {});
      this.principal = await ctx.accounts.authenticate(params.token);
    } catch (error) {
      this.respond(frame.id, toApiError(error).toBody());
      return this.close(CLOSE_CODES.UNAUTHENTICATED, 'not authenticated');
    }
    clearTimeout(this.handshakeTimer);
    if (this.state !== 'authenticating') return;
    // Registered and followed before reading the log: whatever commits from then on is held.
    this.state = 'catchingUp';
    this.host.register(this);
    try {
      await this.host.following(this.principal.userId);
      if (this.state !== 'catchingUp') return;
      await this.catchUp(frame.id, params.pts);
    } catch (error) {
      this.catchUpFailed(error);
    }
  }

  private catchUpFailed(error: unknown): void {
    this.host.ctx.logger.error({ err: error }, 'catch-up failed');
    this.close(CLOSE_CODES.INTERNAL_ERROR, 'catch-up failed; reconnect');
  }

  /** Answers `connect`, replays what the device missed, then releases what was held. */
  private async catchUp(requestId: RequestId, pts: number | undefined): Promise<void> {
    const { ctx } = this.host;
    const principal = this.principal!;

    const [current, pruned] = await Promise.all([
      ctx.updates.currentPts(),
      ctx.updates.prunedPts(),
    ]);
    const resume = pts !== undefined && pts >= pruned && pts <= current;
    this.sentPts = resume ? pts : current;
    const result: ConnectResult = {
      userId: principal.userId,
      deviceId: principal.deviceId,
      mode: resume ? 'resume' : 'reload',
      pts: this.sentPts,
    };
    this.respond(requestId, undefined, result);
    ctx.metrics.catchUps.inc({ mode: result.mode });

    await this.replay(resume);
  }

  /**
   * Sends the updates after the last pts sent (when `fromLog`, and again whenever a resync came
   * meanwhile), then releases what was held, in order, and goes live.
   */
  private async replay(fromLog: boolean): Promise<void> {
    const userId = this.principal!.userId;
    for (;;) {
      if (this.readAgain) {
        this.readAgain = false;
        fromLog = true;
        await this.host.following(userId);
      }
      if (this.state !== 'catchingUp') return;
      if (fromLog && !(await this.sendLog())) return;
      if (!this.readAgain) break;
    }
    const held = this.held;
    this.held = [];
    this.state = 'live';
    for (const { pts, frame: update } of held) this.deliver(pts, update);
    this.send(`{"type":"synced","pts":${this.sentPts}}`);
  }

  /** The log after the last pts sent, up to one bound; false if the session closed meanwhile. */
  private async sendLog(): Promise<boolean> {
    const { ctx } = this.host;
    // One bound for the whole read: pages stop at it, and what comes after it is held.
    let through: number | undefined;
    for (;;) {
      const page = await ctx.updates.readFramesSince(
        this.principal!.userId,
        this.sentPts,
        LIMITS.DIFFERENCE_PAGE_MAX,
        through,
      );
      if (this.state !== 'catchingUp') return false;
      if (page.pruned) {
        // Resumed from a pts whose updates were pruned meanwhile: reconnecting means reload.
        this.close(CLOSE_CODES.TRY_AGAIN_LATER, 'updates were pruned; reconnect');
        return false;
      }
      const { rows } = page;
      through = page.through;
      if (rows.length > 0) {
        this.send(updatesFrame(rows));
        this.sentPts = rows.at(-1)!.pts;
        ctx.metrics.delivered(rows.length);
      }
      if (rows.length < LIMITS.DIFFERENCE_PAGE_MAX) return true;
    }
  }

  private respond(id: RequestId, error?: ErrorBody, result?: unknown): void {
    if (this.state === 'closed') return;
    this.send(JSON.stringify(error ? { type: 'res', id, error } : { type: 'res', id, result }));
  }

  private sendError(error: ErrorBody): void {
    if (this.state !== 'closed') this.send(JSON.stringify({ type: 'error', error }));
  }
}
