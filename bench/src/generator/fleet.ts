import type { Message, UpdateFrame } from '@tokki/protocol';
import { monotonicMs } from '../stats/clock.js';
import { Histogram } from '../stats/histogram.js';
import { forEachLimit, withTimeout } from '../stats/limit.js';
import { Device, describe, type DeviceListener } from './device.js';
import { DirectRunner, filler } from './direct-runner.js';
import { GroupTracker } from './group-tracker.js';
import { UsageMeter } from './usage.js';
import type {
  CallName,
  Calls,
  ConnectParams,
  ConnectReport,
  GeneratorEvent,
  GroupSendParams,
  GroupSent,
} from './protocol.js';

const MAX_ERROR_SAMPLES = 5;

/**
 * Everything one generator process holds: its devices and the scenario running on them. It
 * answers the calls of `protocol.ts`; `main.ts` wires it to the IPC channel, and tests use it in
 * process.
 */
export class Fleet implements DeviceListener {
  private readonly devices = new Map<string, Device>();
  private direct: DirectRunner | undefined;
  private group: GroupTracker | undefined;

  constructor(
    readonly id: number,
    private readonly emit: (event: GeneratorEvent) => void,
  ) {}

  handle<K extends CallName>(name: K, params: Calls[K]['params']): Promise<Calls[K]['result']> {
    const handlers: { [N in CallName]: (p: Calls[N]['params']) => Promise<Calls[N]['result']> } = {
      connect: (p) => this.connect(p),
      disconnect: () => this.disconnect(),
      'direct.start': async ({ pairs }) => {
        this.direct = new DirectRunner(this.id, pairs, this.devices);
        return {};
      },
      'direct.step': (p) => this.requireDirect().step(p),
      'direct.finish': async ({ timeoutMs }) => {
        const report = await this.requireDirect().finish(timeoutMs);
        this.direct = undefined;
        return report;
      },
      'group.track': async ({ chatId, memberKeys }) => {
        this.group = new GroupTracker(chatId, memberKeys, this.devices, (receipts) =>
          this.emit({ kind: 'group.complete', chatId, ...receipts }),
        );
        return {};
      },
      'group.send': (p) => this.groupSend(p),
      'group.report': async () => {
        if (!this.group) throw new Error('No group is tracked');
        return this.group.report();
      },
    };
    return (handlers[name] as (p: Calls[K]['params']) => Promise<Calls[K]['result']>)(params);
  }

  get wantsUpdates(): boolean {
    return this.direct !== undefined || this.group !== undefined;
  }

  onUpdate(device: Device, frame: UpdateFrame, at: number): void {
    this.direct?.onUpdate(device, frame, at);
    this.group?.onUpdate(device, frame, at);
  }

  private requireDirect(): DirectRunner {
    if (!this.direct) throw new Error('direct.start was not called');
    return this.direct;
  }

  /**
   * Opens, authenticates and catches up every device, `concurrency` at a time; a device counts
   * once `synced` and every expected update have arrived.
   */
  private async connect(params: ConnectParams): Promise<ConnectReport> {
    const timeToCurrent = new Histogram();
    const errors: string[] = [];
    const pts: Record<string, number> = {};
    let failed = 0;
    let missingUpdates = 0;
    let firstStartAt = Infinity;
    let lastCurrentAt = 0;
    const { localAddresses } = params;
    const meter = new UsageMeter();
    meter.start();
    await forEachLimit(params.devices, params.concurrency, async (spec, index) => {
      const device = new Device(spec.key, spec.token, this);
      const expected = spec.expectUpdates ?? 0;
      const startAt = monotonicMs();
      firstStartAt = Math.min(firstStartAt, startAt);
      try {
        const currentAt = await withTimeout(
          (async () => {
            await device.open(
              spec.url ?? params.url,
              localAddresses[index % localAddresses.length],
            );
            const current = device.current(expected);
            current.catch(() => {}); // awaited below unless connect fails first
            await device.connect(spec.pts);
            return current;
          })(),
          params.timeoutMs,
          `device ${spec.key}`,
        );
        timeToCurrent.record(currentAt - startAt);
        lastCurrentAt = Math.max(lastCurrentAt, currentAt);
        pts[spec.key] = Math.max(device.lastPts, device.syncedPts!);
        // The replaced socket closes in the background (close never rejects).
        void this.devices.get(spec.key)?.close();
        this.devices.set(spec.key, device);
      } catch (error) {
        failed += 1;
        // Synced without every missed update is loss; not getting that far is a failure.
        if (device.syncedPts !== undefined)
          missingUpdates += Math.max(0, expected - device.updates);
        if (errors.length < MAX_ERROR_SAMPLES)
          errors.push(`${spec.key}: ${(error as Error).message}`);
        void device.close();
      }
    });
    let duplicateUpdates = 0;
    for (const spec of params.devices)
      duplicateUpdates += this.devices.get(spec.key)?.duplicateUpdates ?? 0;
    return {
      connected: params.devices.length - failed,
      failed,
      errors,
      timeToCurrent: timeToCurrent.toJSON(),
      missingUpdates,
      duplicateUpdates,
      pts,
      firstStartAt,
      lastCurrentAt,
      usage: meter.stop(),
    };
  }

  private async disconnect(): Promise<{ closed: number }> {
    const devices = [...this.devices.values()];
    this.devices.clear();
    this.direct = undefined;
    this.group = undefined;
    await Promise.all(devices.map((device) => device.close()));
    return { closed: devices.length };
  }

  /** Sends every message at once from one device; answers when all are acked or failed. */
  private groupSend(params: GroupSendParams): Promise<GroupSent[]> {
    const sender = this.devices.get(params.senderKey);
    if (!sender) throw new Error(`${params.senderKey} is not connected here`);
    const text = filler(params.textLength);
    return Promise.all(
      params.clientMsgIds.map(
        (clientMsgId) =>
          new Promise<GroupSent>((resolve) => {
            const sentAt = monotonicMs();
            sender.call(
              'messages.send',
              { chatId: params.chatId, clientMsgId, text },
              (frame, at) => {
                const message = (frame?.result as { message?: Message } | undefined)?.message;
                resolve({
                  clientMsgId,
                  seq: message?.seq ?? -1,
                  sentAt,
                  ackedAt: at,
                  ...(!message && {
                    error: frame?.error ? describe(frame.error) : 'connection closed',
                  }),
                });
              },
            );
          }),
      ),
    );
  }
}
