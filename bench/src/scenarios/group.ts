import { checkStored, lostCount, type StoreCheck } from '../check/loss.js';
import type { GeneratorEvent, GroupSent } from '../generator/protocol.js';
import { createGroup } from '../seed/chats.js';
import { withTimeout } from '../stats/limit.js';
import {
  connectDevices,
  deal,
  disconnectAll,
  NO_CONTENTION,
  watchContention,
  type Contention,
  type ScenarioContext,
} from './context.js';

export interface GroupOptions {
  /** Online members besides the sender. */
  members: number;
  /** Single messages, each sent once the previous one reached every member. */
  messages: number;
  /** Messages sent at once afterwards, for sustained fan-out. */
  burst: number;
  textLength: number;
  timeoutMs: number;
}

export interface GroupMessage {
  seq: number;
  /** Send → ack to the sender (durable). */
  ackMs: number;
  /** Send → the first and the last member's receipt. */
  firstMs: number;
  lastMs: number;
  /** Members / time to the last one. */
  deliveriesPerSec: number;
}

export interface GroupReport {
  members: number;
  messages: GroupMessage[];
  /** Median over the single messages of members ÷ time until the last member has it. */
  deliveriesPerSec: number;
  /** Median and worst time until the last member has a single message. */
  timeToLastP50Ms: number;
  timeToLastMaxMs: number;
  burst: { messages: number; deliveries: number; seconds: number; deliveriesPerSec: number };
  /** Acked messages × members that never received them. */
  missingDeliveries: number;
  duplicateUpdates: number;
  store: StoreCheck;
  lost: number;
  errors: number;
  /** Why the scenario stopped early, if it did. */
  aborted: string | null;
  /** Over the measured messages. */
  contention: Contention;
}

interface Completion {
  count: number;
  lastAt: number;
  firstAt: number;
}

/**
 * One group with every member online: how fast one message reaches all of them, and how many
 * deliveries per second a burst of messages makes.
 */
export async function runGroup(ctx: ScenarioContext, options: GroupOptions): Promise<GroupReport> {
  const users = await ctx.users.first(options.members + 1);
  const [sender, ...members] = users as [(typeof users)[0], ...typeof users];
  ctx.log(`group: creating a group of ${members.length + 1}`);
  const chatId = await createGroup(ctx.url, sender, members, 'Bench group');

  // The sender on generator 0; members dealt over every generator.
  const memberShares = deal(members, ctx.generators.length);
  const deviceShares = memberShares.map((share) =>
    share.map((user) => ({ key: user.key, token: user.token })),
  );
  deviceShares[0]!.push({ key: sender.key, token: sender.token });
  const connected = await connectDevices(ctx, deviceShares, {
    concurrency: 200,
    timeoutMs: 60_000,
  });
  if (connected.failed > 0)
    throw new Error(`group: ${connected.failed} devices did not connect: ${connected.errors[0]}`);
  const hosting = ctx.generators.filter((_, i) => memberShares[i]!.length > 0);
  await Promise.all(
    ctx.generators.map((generator, i) =>
      generator.call('group.track', {
        chatId,
        memberKeys: memberShares[i]!.map((user) => user.key),
      }),
    ),
  );

  // Every generator says when all its members have a message; a message is everywhere once
  // each generator hosting members has said so.
  const completions = new Map<number, Completion[]>();
  const waiters = new Map<number, (done: Completion) => void>();
  const onEvent = (event: GeneratorEvent) => {
    if (event.kind !== 'group.complete' || event.chatId !== chatId) return;
    const list = completions.get(event.seq) ?? [];
    list.push(event);
    completions.set(event.seq, list);
    if (list.length === hosting.length) waiters.get(event.seq)?.(merge(list));
  };
  const unsubscribe = ctx.generators.map((generator) => generator.onEvent(onEvent));
  const everywhere = (seq: number): Promise<Completion> => {
    const list = completions.get(seq);
    if (list?.length === hosting.length) return Promise.resolve(merge(list));
    return withTimeout(
      new Promise<Completion>((resolve) => waiters.set(seq, resolve)),
      options.timeoutMs,
      `group message ${seq} reaching every member`,
    );
  };

  let sendCount = 0;
  let sendErrors = 0;
  const allSent: GroupSent[] = [];
  const send = async (count: number): Promise<GroupSent[]> => {
    const clientMsgIds = Array.from({ length: count }, () => `grp.${sendCount++}`);
    const sent = await ctx.generators[0]!.call('group.send', {
      senderKey: sender.key,
      chatId,
      clientMsgIds,
      textLength: options.textLength,
    });
    allSent.push(...sent.filter((s) => !s.error));
    const failed = sent.filter((s) => s.error);
    sendErrors += failed.length;
    if (failed.length > 0) throw new Error(`send failed: ${failed[0]!.error}`);
    return sent;
  };

  const messages: GroupMessage[] = [];
  let burst: GroupReport['burst'] = { messages: 0, deliveries: 0, seconds: 0, deliveriesPerSec: 0 };
  let aborted: string | null = null;
  let contention: Contention = NO_CONTENTION;
  try {
    // Warm-up, not reported.
    const [warm] = await send(1);
    await everywhere(warm!.seq);
    const stopWatching = watchContention(ctx);
    for (let i = 0; i < options.messages; i++) {
      const [sent] = await send(1);
      const done = await everywhere(sent!.seq);
      const lastMs = done.lastAt - sent!.sentAt;
      messages.push({
        seq: sent!.seq,
        ackMs: round(sent!.ackedAt - sent!.sentAt),
        firstMs: round(done.firstAt - sent!.sentAt),
        lastMs: round(lastMs),
        deliveriesPerSec: Math.round((members.length * 1000) / lastMs),
      });
    }
    ctx.log(`group: ${options.burst} messages at once`);
    const burstSent = await send(options.burst);
    const done = await Promise.all(burstSent.map((s) => everywhere(s.seq)));
    const seconds =
      (Math.max(...done.map((d) => d.lastAt)) - Math.min(...burstSent.map((s) => s.sentAt))) / 1000;
    const deliveries = burstSent.length * members.length;
    burst = {
      messages: burstSent.length,
      deliveries,
      seconds: round(seconds),
      deliveriesPerSec: Math.round(deliveries / seconds),
    };
    contention = stopWatching();
  } catch (error) {
    // A message that never reached everyone: stop sending, count what arrived below.
    aborted = (error as Error).message;
    ctx.log(`group: ${aborted}`);
  } finally {
    unsubscribe.forEach((off) => off());
  }

  const reports = await Promise.all(ctx.generators.map((g) => g.call('group.report', {})));
  await disconnectAll(ctx);
  const received = new Map<number, number>();
  for (const report of reports)
    for (const r of report.receipts) received.set(r.seq, (received.get(r.seq) ?? 0) + r.count);
  const missingDeliveries = allSent.reduce(
    (sum, s) => sum + Math.max(0, members.length - (received.get(s.seq) ?? 0)),
    0,
  );
  const store = await checkStored(
    ctx.database,
    allSent.map((s) => ({ chatId, clientMsgId: s.clientMsgId, seq: s.seq })),
  );
  const lastTimes = messages.map((m) => m.lastMs).sort((a, b) => a - b);
  const rates = messages.map((m) => m.deliveriesPerSec).sort((a, b) => a - b);
  return {
    members: members.length,
    messages,
    deliveriesPerSec: median(rates),
    timeToLastP50Ms: median(lastTimes),
    timeToLastMaxMs: lastTimes.at(-1) ?? 0,
    burst,
    missingDeliveries,
    duplicateUpdates: reports.reduce((sum, r) => sum + r.duplicateUpdates, 0) + store.duplicated,
    store,
    lost: lostCount(store, missingDeliveries),
    errors: store.wrongSeq + sendErrors + (aborted && !sendErrors ? 1 : 0),
    aborted,
    contention,
  };
}

function merge(list: Completion[]): Completion {
  return {
    count: list.reduce((sum, c) => sum + c.count, 0),
    firstAt: Math.min(...list.map((c) => c.firstAt)),
    lastAt: Math.max(...list.map((c) => c.lastAt)),
  };
}

/** The lower median of sorted values. */
function median(sorted: number[]): number {
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : 0;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
