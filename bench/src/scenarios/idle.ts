import { sleep } from '../stats/limit.js';
import {
  connectDevices,
  deal,
  disconnectAll,
  sampleServer,
  type ScenarioContext,
} from './context.js';

export interface IdleOptions {
  connections: number;
  /** Wait after the last connect before reading RSS, so buffers settle. */
  settleMs: number;
  /** Connections each generator opens at once. */
  concurrency: number;
}

export interface IdleReport {
  /** Devices connected and synced at once. */
  connections: number;
  failed: number;
  errors: string[];
  /** Server RSS before connecting and with every connection open (VmRSS). */
  rssBeforeBytes: number | null;
  rssAfterBytes: number | null;
  /** (after − before) / connections; null when the server's RSS cannot be read. */
  bytesPerConnection: number | null;
  /** File descriptors the server held with every connection open. */
  serverOpenFiles: number | null;
  /** From the first socket opened to the last `synced`. */
  connectSeconds: number;
  connectsPerSec: number;
  /** Per connection: socket opened → `synced`. */
  connectP50Ms: number;
  connectP99Ms: number;
}

/**
 * N authenticated devices, connected and synced, doing nothing: what each costs the server in
 * memory.
 */
export async function runIdle(ctx: ScenarioContext, options: IdleOptions): Promise<IdleReport> {
  const users = await ctx.users.first(options.connections);
  ctx.log(`idle: connecting ${users.length} devices`);
  await sleep(500);
  const before = sampleServer(ctx);
  const devices = users.map((user) => ({ key: user.key, token: user.token }));
  const summary = await connectDevices(ctx, deal(devices, ctx.generators.length), {
    concurrency: options.concurrency,
    timeoutMs: 120_000,
  });
  await sleep(options.settleMs);
  const after = sampleServer(ctx);
  await disconnectAll(ctx);

  const perConnection =
    before && after && summary.connected > 0
      ? Math.round((after.rssBytes - before.rssBytes) / summary.connected)
      : null;
  const seconds = summary.wallMs / 1000;
  return {
    connections: summary.connected,
    failed: summary.failed,
    errors: summary.errors,
    rssBeforeBytes: before?.rssBytes ?? null,
    rssAfterBytes: after?.rssBytes ?? null,
    bytesPerConnection: perConnection,
    serverOpenFiles: after?.openFiles ?? null,
    connectSeconds: Math.round(seconds * 100) / 100,
    connectsPerSec: seconds > 0 ? Math.round(summary.connected / seconds) : 0,
    connectP50Ms: summary.timeToCurrent.summary().p50,
    connectP99Ms: summary.timeToCurrent.summary().p99,
  };
}
