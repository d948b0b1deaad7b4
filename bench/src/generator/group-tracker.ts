import type { UpdateFrame } from '@tokki/protocol';
import type { Device } from './device.js';
import type { GroupReceipts, GroupReport } from './protocol.js';

/**
 * Counts, per message of one group, how many of this generator's member devices have received
 * it and when the first and the last did; tells the coordinator as soon as all of them have.
 */
export class GroupTracker {
  private readonly members: ReadonlySet<string>;
  private readonly bySeq = new Map<number, GroupReceipts>();

  constructor(
    readonly chatId: string,
    memberKeys: readonly string[],
    private readonly devices: ReadonlyMap<string, Device>,
    private readonly onComplete: (receipts: GroupReceipts) => void,
  ) {
    this.members = new Set(memberKeys);
  }

  onUpdate(device: Device, frame: UpdateFrame, at: number): void {
    const { update } = frame;
    if (update.kind !== 'message.new' || update.message.chatId !== this.chatId) return;
    if (!this.members.has(device.key)) return;
    const { seq } = update.message;
    let receipts = this.bySeq.get(seq);
    if (!receipts) this.bySeq.set(seq, (receipts = { seq, count: 0, firstAt: at, lastAt: at }));
    receipts.count += 1;
    receipts.firstAt = Math.min(receipts.firstAt, at);
    receipts.lastAt = Math.max(receipts.lastAt, at);
    if (receipts.count === this.members.size) this.onComplete({ ...receipts });
  }

  report(): GroupReport {
    let duplicateUpdates = 0;
    for (const key of this.members)
      duplicateUpdates += this.devices.get(key)?.duplicateUpdates ?? 0;
    return {
      receipts: [...this.bySeq.values()].sort((a, b) => a.seq - b.seq),
      duplicateUpdates,
    };
  }
}
