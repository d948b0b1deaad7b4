import { checkStored, lostCount, type StoreCheck } from '../check/loss.js';
import type { AckedMessage, DeviceSpec } from '../generator/protocol.js';
import { callApi } from '../seed/api.js';
import { createGroup } from '../seed/chats.js';
import type { BenchUser } from '../seed/users.js';
import { monotonicMs } from '../stats/clock.js';
import type { LatencySummary } from '../stats/histogram.js';
import { forEachLimit, mapLimit } from '../stats/limit.js';
import {
  connectDevices,
  deal,
  disconnectAll,
  watchContention,
  type Contention,
  type ScenarioContext,
} from './context.js';

export interface CatchupOptions {
  /** Devices that reconnect at once. */
  devices: number;
  /** Chats each device is in, and messages it misses across them. */
  chatsPerDevice: number;
  messagesPerDevice: number;
  /**
   * Devices that share the same chats. Sharing keeps seeding cheap (the server stores each
   * message once whatever the group size), and each device still reads its own 50 chats.
   */
  devicesPerChat: number;
  timeoutMs: number;
}

export interface CatchupReport {
  devices: number;
  chatsPerDevice: number;
  messagesPerDevice: number;
  /** Chats in all: blocks of `devicesPerChat` devices share theirs. */
  chats: number;
  /** Messages the server stored while the devices were away. */
  messagesSent: number;
  /** Reconnected, synced and holding every missed update. */
  current: number;
  failed: number;
  errors: string[];
  /** Per device: socket opened → synced with all `messagesPerDevice` updates. */
  timeToCurrent: LatencySummary;
  p50Ms: number;
  p99Ms: number;
  /** From the first socket opened to the last device current. */
  allCurrentMs: number;
  missingUpdates: number;
  duplicateUpdates: number;
  store: StoreCheck;
  lost: number;
  /** Over the reconnect. */
  contention: Contention;
}

/**
 * Devices that missed `messagesPerDevice` messages in `chatsPerDevice` chats all reconnect at once
 * with their old pts: how long until each is current.
 */
export async function runCatchup(
  ctx: ScenarioContext,
  options: CatchupOptions,
): Promise<CatchupReport> {
  const perChat = options.messagesPerDevice / options.chatsPerDevice;
  if (!Number.isInteger(perChat))
    throw new Error('catch-up: messages must divide evenly into chats');
  const users = await ctx.users.first(options.devices + 1);
  const [sender, ...devices] = users as [BenchUser, ...BenchUser[]];

  // Blocks of devices share a set of chats; the sender owns them all.
  const blocks: BenchUser[][] = [];
  for (let i = 0; i < devices.length; i += options.devicesPerChat)
    blocks.push(devices.slice(i, i + options.devicesPerChat));
  const chatSpecs = blocks.flatMap((block, b) =>
    Array.from({ length: options.chatsPerDevice }, (_, c) => ({
      block,
      title: `Catch-up ${b}.${c}`,
    })),
  );
  ctx.log(`catch-up: creating ${chatSpecs.length} chats for ${devices.length} devices`);
  const chatIds = await mapLimit(chatSpecs, 8, (spec) =>
    createGroup(ctx.url, sender, spec.block, spec.title),
  );

  // Online once, to learn the pts they are at, then away.
  const shares = deal(
    devices.map((user) => ({ key: user.key, token: user.token })),
    ctx.generators.length,
  );
  const first = await connectDevices(ctx, shares, { concurrency: 200, timeoutMs: 60_000 });
  await disconnectAll(ctx);
  if (first.failed > 0)
    throw new Error(`catch-up: ${first.failed} devices did not connect: ${first.errors[0]}`);

  ctx.log(`catch-up: sending ${chatIds.length * perChat} messages while they are away`);
  const acked: AckedMessage[] = [];
  const sends = chatIds.flatMap((chatId) =>
    Array.from({ length: perChat }, (_, i) => ({ chatId, clientMsgId: `cu.${i}` })),
  );
  await forEachLimit(sends, 64, async ({ chatId, clientMsgId }) => {
    const { message } = await callApi(ctx.url, sender.token, 'messages.send', {
      chatId,
      clientMsgId,
      text: `missed ${clientMsgId}`,
    });
    acked.push({ chatId, clientMsgId, seq: message.seq });
  });

  ctx.log(`catch-up: ${devices.length} devices reconnect at once`);
  const reconnect: DeviceSpec[][] = shares.map((share) =>
    share.map((device) => ({
      ...device,
      pts: first.pts[device.key]!,
      expectUpdates: options.messagesPerDevice,
    })),
  );
  const startedAt = monotonicMs();
  const stopWatching = watchContention(ctx);
  const again = await connectDevices(ctx, reconnect, {
    concurrency: devices.length,
    timeoutMs: options.timeoutMs,
  });
  const allCurrentMs = monotonicMs() - startedAt;
  const contention = stopWatching();
  await disconnectAll(ctx);
  const store = await checkStored(ctx.database, acked);
  const summary = again.timeToCurrent.summary();
  return {
    devices: devices.length,
    chatsPerDevice: options.chatsPerDevice,
    messagesPerDevice: options.messagesPerDevice,
    chats: chatIds.length,
    messagesSent: acked.length,
    current: again.connected,
    failed: again.failed,
    errors: again.errors,
    timeToCurrent: summary,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    allCurrentMs: Math.round(again.wallMs || allCurrentMs),
    missingUpdates: again.missingUpdates,
    duplicateUpdates: again.duplicateUpdates + store.duplicated,
    store,
    lost: lostCount(store, again.missingUpdates),
    contention,
  };
}
