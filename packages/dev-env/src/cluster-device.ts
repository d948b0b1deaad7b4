import { RawSocket } from './raw-socket.js';
import { post, type TestUser } from './server.js';

/**
 * A device in a cluster test: it stays connected to some node, and when its node goes away it
 * reconnects to another with the pts it reached, as an app does. It records every message it is
 * given, so a test can check each arrived once and in order.
 */
export class ClusterDevice {
  socket: RawSocket | undefined;
  pts: number | undefined;
  /** Seqs of the `message.new` updates received, per chat, in arrival order. */
  readonly received = new Map<string, number[]>();
  /** pts that went backwards or repeated: must stay empty. */
  readonly outOfOrder: number[] = [];
  reconnects = 0;
  private read = 0;
  private stopped = false;
  private reconnecting: Promise<void> | undefined;

  constructor(
    readonly user: TestUser,
    /** The nodes up now, the one to try first first. */
    private readonly nodes: () => string[],
  ) {}

  async connect(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      for (const url of this.nodes()) {
        try {
          const socket = await RawSocket.connect(url, this.user.token, this.pts);
          this.socket = socket;
          this.read = 0;
          this.take();
          socket.ws.on('message', () => this.take());
          socket.ws.on('close', () => {
            this.take();
            if (!this.stopped) this.reconnecting ??= this.reconnect();
          });
          return;
        } catch {
          // That node is down or not ready: the next one.
        }
      }
      if (attempt >= 100) throw new Error(`${this.user.phone} could not reconnect to any node`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Resolves once this device has every one of `seqs` in the chat (or rejects after a while). */
  async waitFor(chatId: string, seqs: readonly number[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const missing = () => {
      const got = new Set(this.received.get(chatId));
      return seqs.filter((seq) => !got.has(seq));
    };
    for (let left = missing(); left.length > 0; left = missing()) {
      if (Date.now() > deadline) {
        throw new Error(
          `${this.user.phone} lacks ${left.length} of ${seqs.length} messages in ${chatId}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  stop(): void {
    this.stopped = true;
    this.socket?.ws.terminate();
  }

  private async reconnect(): Promise<void> {
    this.reconnects++;
    await this.connect();
    this.reconnecting = undefined;
  }

  /** Applies the frames received since last time, as an app would. */
  private take(): void {
    const frames = this.socket?.frames ?? [];
    for (; this.read < frames.length; this.read++) {
      const frame = frames[this.read] as {
        type: string;
        pts?: number;
        update?: Update;
        updates?: { pts: number; update: Update }[];
      };
      if (frame.type === 'update') this.apply(frame.pts!, frame.update!);
      else if (frame.type === 'updates')
        for (const u of frame.updates!) this.apply(u.pts, u.update);
      else if (frame.type === 'synced') this.pts = Math.max(this.pts ?? 0, frame.pts!);
      else if (frame.type === 'res' && (frame as { result?: { pts?: number } }).result?.pts) {
        // The connect answer: a device that reloads starts at the pts it is given.
        this.pts ??= (frame as unknown as { result: { pts: number } }).result.pts;
      }
    }
  }

  private apply(pts: number, update: Update): void {
    if (this.pts !== undefined && pts <= this.pts) this.outOfOrder.push(pts);
    this.pts = pts;
    if (update.kind !== 'message.new') return;
    const { chatId, seq } = update.message!;
    let seqs = this.received.get(chatId);
    if (!seqs) this.received.set(chatId, (seqs = []));
    seqs.push(seq);
  }
}

type Update = { kind: string; message?: { chatId: string; seq: number } };

/**
 * Sends through whichever node is up, retrying with the same client id until one answers: the
 * message is then acknowledged (stored), and each retry returns the original.
 */
export async function sendUntilAcked(
  nodes: () => string[],
  user: TestUser,
  chatId: string,
  clientMsgId: string,
): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const list = nodes();
    const url = list[attempt % list.length]!;
    try {
      const result = (await post(
        url,
        'messages.send',
        { chatId, clientMsgId, text: clientMsgId },
        user.token,
      )) as { message: { seq: number } };
      return result.message.seq;
    } catch (error) {
      if ((error as { code?: string }).code) throw error;
      // The node went away mid-request: the same id again elsewhere.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${clientMsgId} was never acknowledged`);
}

/** Every acknowledged seq exactly once, in order. */
export function checkReceived(device: ClusterDevice, chatId: string, acked: number[]) {
  const got = device.received.get(chatId) ?? [];
  return {
    missing: acked.filter((seq) => !got.includes(seq)),
    duplicated: got.filter((seq, i) => got.indexOf(seq) !== i),
    inOrder: got.every((seq, i) => i === 0 || seq > got[i - 1]!),
    outOfOrderPts: device.outOfOrder,
  };
}
