import type { UpdateFrame } from '@tokki/protocol';
import { monotonicMs } from '../stats/clock.js';
import { sleep } from '../stats/limit.js';
import type { Device } from './device.js';
import { DirectTracker, taggedText } from './direct-tracker.js';
import { OpenLoopSchedule } from './open-loop.js';
import type {
  DirectFinishReport,
  DirectPair,
  DirectStepParams,
  DirectStepReport,
} from './protocol.js';
import { UsageMeter } from './usage.js';

/**
 * Runs the 1:1 load of one generator: its pairs take turns sending at the step's rate, in both
 * directions, open loop. Both devices of a pair live here, so ack and receipt are timed on the
 * same clock without crossing processes.
 */
export class DirectRunner {
  private readonly tracker = new DirectTracker();
  private readonly meter = new UsageMeter();
  private sends = 0;

  constructor(
    private readonly generatorId: number,
    private readonly pairs: DirectPair[],
    private readonly devices: ReadonlyMap<string, Device>,
  ) {
    for (const pair of pairs) {
      if (!devices.has(pair.a) || !devices.has(pair.b))
        throw new Error(`Pair ${pair.chatId} is not connected on generator ${generatorId}`);
    }
  }

  onUpdate(device: Device, frame: UpdateFrame, at: number): void {
    if (frame.update.kind !== 'message.new') return;
    // The sender's own device receives its message too; that is not the delivery we time.
    if (frame.update.message.senderId === device.userId) return;
    this.tracker.received(device.key, frame.update.message, at);
  }

  async step(params: DirectStepParams): Promise<DirectStepReport> {
    const counters = this.tracker.newStep();
    const text = filler(params.textLength);
    this.meter.start();
    const startAt = monotonicMs();
    const schedule = new OpenLoopSchedule(params.ratePerSec, startAt, params.durationMs);
    while (!schedule.done) {
      for (const intendedAt of schedule.due(monotonicMs())) {
        const pair = this.pairs[this.sends % this.pairs.length]!;
        // Alternate direction each time round the pairs.
        const forward = Math.floor(this.sends / this.pairs.length) % 2 === 0;
        const sender = this.devices.get(forward ? pair.a : pair.b)!;
        const recipientKey = forward ? pair.b : pair.a;
        const clientMsgId = `g${this.generatorId}.${(this.sends++).toString(36)}`;
        this.tracker.sent(counters, { clientMsgId, chatId: pair.chatId, recipientKey, intendedAt });
        const tagged = taggedText(clientMsgId, text);
        sender.call(
          'messages.send',
          { chatId: pair.chatId, clientMsgId, text: tagged },
          (frame, at) => this.tracker.answered(clientMsgId, frame, at),
        );
      }
      if (schedule.done) break;
      // Sleep at least a timer tick even when the next send is due sooner: spinning on
      // setImmediate would burn the core the receiving devices need. Sends due meanwhile go out
      // together, and their latency still counts from when they were due.
      await sleep(Math.max(1, Math.floor(schedule.nextAt - monotonicMs())));
    }
    const deadline = monotonicMs() + params.drainTimeoutMs;
    while (counters.open > 0 && monotonicMs() < deadline) await sleep(5);
    return {
      index: params.index,
      ratePerSec: params.ratePerSec,
      startAt,
      scheduled: schedule.total,
      sent: counters.sent,
      acked: counters.acked,
      delivered: counters.delivered,
      errors: counters.errors,
      errorSamples: counters.errorSamples,
      outstanding: counters.open,
      lastAckAt: counters.lastAckAt,
      lastDeliveryAt: counters.lastDeliveryAt,
      ackLatency: counters.ackLatency.toJSON(),
      deliveryLatency: counters.deliveryLatency.toJSON(),
      usage: this.meter.stop(),
    };
  }

  /** Waits up to `timeoutMs` for anything still in flight, then reports every ack. */
  async finish(timeoutMs: number): Promise<DirectFinishReport> {
    const deadline = monotonicMs() + timeoutMs;
    while (this.tracker.undelivered() + this.tracker.unanswered() > 0 && monotonicMs() < deadline)
      await sleep(10);
    let duplicateUpdates = 0;
    for (const pair of this.pairs)
      for (const key of [pair.a, pair.b])
        duplicateUpdates += this.devices.get(key)!.duplicateUpdates;
    return {
      acked: this.tracker.acked,
      undelivered: this.tracker.undelivered(),
      unexpected: this.tracker.unexpected,
      duplicateUpdates,
    };
  }
}

/** Message text of `length` characters, Korean and Latin like a real chat. */
export function filler(length: number): string {
  const base = '토끼 벤치마크 message 안녕하세요! ';
  return base.repeat(Math.ceil(length / base.length)).slice(0, Math.max(1, length));
}
