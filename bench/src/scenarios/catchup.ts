import { checkStored, lostCount, type StoreCheck } from '../check/loss.js';
import type { AckedMessage, DeviceSpec, GeneratorUsage } from '../generator/protocol.js';
import { callApi } from '../seed/api.js';
import { createGroup } from '../seed/chats.js';
import type { BenchUser } from '../seed/users.js';
import type { TimeWindow } from '../report/profile.js';
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
  /** Devices set up to catch up; the largest wave. */
  devices: number;
  /**
   * How many reconnect at once, one wave after another (each ≤ devices). A device can catch up
   * again and again: it reconnects with the same old pts, and the server replays the same updates.
   * The report's headline is the last wave.
   */
  waves: number[];
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

/** One wave: `devices` reconnecting at once. */
export interface CatchupWave {
  devices: number;
  /** Reconnected, synced and holding every missed update. */
  current: number;
  failed: number;
  errors: string[];
  /** Per device: socket opened → synced with all `messagesPerDevice` updates. */
  timeToCurrent: LatencySummary;
  /** From the first socket opened to the last device current. */
  allCurrentMs: number;
  /** Missed updates the server replayed per second, over the wave. */
  updatesPerSec: number;
  missingUpdates: number;
  duplicateUpdates: number;
  contention: Contention;
  generators: GeneratorUsage[];
}

export interface CatchupReport {
  devices: number;
  chatsPerDevice: number;
  messagesPerDevice: number;
  /** Chats in all: blocks of `devicesPerChat` devices share theirs. */
  chats: number;
  /** Messages the server stored while the devices were away. */
  messagesSent: number;
  waves: CatchupWave[];
  /** The last (largest) wave's p50 and p99 until current. */
  p50Ms: number;
  p99Ms: number;
  missingUpdates: number;
  duplicateUpdates: number;
  failed: number;
  store: StoreCheck;
  lost: number;
}

export interface CatchupOutcome {
  report: CatchupReport;
  /** When the waves ran, to cut them out of a server profile. */
  loadWindows: TimeWindow[];
}

/**
 * Devices that missed `messagesPerDevice` messages in `chatsPerDevice` chats all reconnect at once
 * with their old pts: how long until each is current.
 */
export async function runCatchup(
  ctx: ScenarioContext,
  options: CatchupOptions,
): Promise<CatchupOutcome> {
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

  const waves: CatchupWave[] = [];
  const loadWindows: TimeWindow[] = [];
  for (const size of options.waves) {
    const wave = Math.min(size, devices.length);
    ctx.log(`catch-up: ${wave} devices reconnect at once`);
    const reconnect: DeviceSpec[][] = deal(devices.slice(0, wave), ctx.generators.length).map(
      (share) =>
        share.map((user) => ({
          key: user.key,
          token: user.token,
          pts: first.pts[user.key]!,
          expectUpdates: options.messagesPerDevice,
        })),
    );
    const stopWatching = watchContention(ctx);
    const fromMs = monotonicMs();
    const again = await connectDevices(ctx, reconnect, {
      concurrency: wave,
      timeoutMs: options.timeoutMs,
    });
    loadWindows.push({ fromMs, toMs: monotonicMs() });
    const contention = stopWatching();
    await disconnectAll(ctx);
    const updates = again.connected * options.messagesPerDevice;
    waves.push({
      devices: wave,
      current: again.connected,
      failed: again.failed,
      errors: again.errors,
      timeToCurrent: again.timeToCurrent.summary(),
      allCurrentMs: Math.round(again.wallMs),
      updatesPerSec: again.wallMs > 0 ? Math.round((updates * 1000) / again.wallMs) : 0,
      missingUpdates: again.missingUpdates,
      duplicateUpdates: again.duplicateUpdates,
      contention,
      generators: again.generators,
    });
  }
  const store = await checkStored(ctx.database, acked);
  const last = waves.at(-1);
  const sum = (pick: (wave: CatchupWave) => number) =>
    waves.reduce((total, wave) => total + pick(wave), 0);
  const report: CatchupReport = {
    devices: devices.length,
    chatsPerDevice: options.chatsPerDevice,
    messagesPerDevice: options.messagesPerDevice,
    chats: chatIds.length,
    messagesSent: acked.length,
    waves,
    p50Ms: last?.timeToCurrent.p50 ?? NaN,
    p99Ms: last?.timeToCurrent.p99 ?? NaN,
    missingUpdates: sum((wave) => wave.missingUpdates),
    duplicateUpdates: sum((wave) => wave.duplicateUpdates) + store.duplicated,
    failed: sum((wave) => wave.failed),
    store,
    lost: lostCount(
      store,
      sum((wave) => wave.missingUpdates),
    ),
  };
  return { report, loadWindows };
}
