import type { BenchDatabase } from '../database.js';
import type { GeneratorLink } from '../generator/link.js';
import type { ConnectReport, DeviceSpec, GeneratorUsage } from '../generator/protocol.js';
import type { UserPool } from '../seed/users.js';
import type { ServerHandle } from '../server-process.js';
import { Histogram } from '../stats/histogram.js';
import { sleep } from '../stats/limit.js';
import {
  coreBusyBetween,
  cpuOf,
  cpuPercentBetween,
  sampleMachine,
  sampleProcess,
  usageBetween,
  type ProcessSample,
} from '../stats/proc.js';

/** What every scenario runs against. */
export interface ScenarioContext {
  /** Node 0's: seeding and every scenario but direct go through it. */
  url: string;
  server: ServerHandle;
  /** Every node, node 0 first: `[server]` unless the bench runs several. */
  nodes: readonly ServerHandle[];
  /** The NATS server between the nodes, when there is one and it was found. */
  busPid: number | undefined;
  generators: readonly GeneratorLink[];
  users: UserPool;
  database: BenchDatabase;
  /** Loopback addresses generator `index` binds its sockets to (127.0.0.2, …). */
  sourceAddresses(index: number): string[];
  log(line: string): void;
  /** Longest wait for other processes to leave the cores alone (0: never wait). */
  quietWaitMs: number;
}

/** CPU of other processes (percent of one core) above which a measurement counts as contended. */
export const CONTENDED_PERCENT = 10;

/** The benchmark's own processes: the nodes, NATS, this coordinator and the generators. */
export function benchPids(ctx: ScenarioContext): number[] {
  const pids = [
    ...ctx.nodes.map((node) => node.pid),
    ctx.busPid,
    process.pid,
    ...ctx.generators.map((g) => g.pid),
  ];
  return [...new Set(pids.filter((pid): pid is number => pid !== undefined))];
}

/**
 * CPU that processes outside the benchmark took (every core's busy time minus the benchmark's
 * own and the database's), in percent of one core; null without the figures. Unlike the server's
 * run-queue wait, this does not count the server's and the generators' threads competing with
 * each other.
 */
export function othersCpu(
  coresBusyPercent: number[] | null | undefined,
  oursPercent: number | null,
): number | null {
  if (!coresBusyPercent || oursPercent === null) return null;
  const busy = coresBusyPercent.reduce((sum, core) => sum + core, 0);
  return Math.max(0, Math.round((busy - oursPercent) * 10) / 10);
}

/** Others' CPU when known; otherwise the server's main thread's wait for a CPU. */
export function isContended(others: number | null, serverRunQueuePercent: number | null): boolean {
  return (others ?? serverRunQueuePercent ?? 0) > CONTENDED_PERCENT;
}

export function sampleServer(ctx: ScenarioContext): ProcessSample | undefined {
  return ctx.server.pid === undefined ? undefined : sampleProcess(ctx.server.pid);
}

/** Deals items round robin into `count` hands: item i goes to generator i % count. */
export function deal<T>(items: readonly T[], count: number): T[][] {
  const hands: T[][] = Array.from({ length: count }, () => []);
  items.forEach((item, i) => hands[i % count]!.push(item));
  return hands;
}

/** Several generators' connect reports added up. */
export interface ConnectSummary {
  connected: number;
  failed: number;
  errors: string[];
  timeToCurrent: Histogram;
  missingUpdates: number;
  duplicateUpdates: number;
  pts: Record<string, number>;
  /** From the first socket opened to the last device current, over every generator. */
  wallMs: number;
  generators: GeneratorUsage[];
}

/** Connects each generator's share of devices, all generators at once. */
export async function connectDevices(
  ctx: ScenarioContext,
  shares: readonly DeviceSpec[][],
  options: { concurrency: number; timeoutMs: number },
): Promise<ConnectSummary> {
  const reports = await Promise.all(
    ctx.generators.map((generator, index) => {
      const devices = shares[index] ?? [];
      if (devices.length === 0) return undefined;
      return generator.call('connect', {
        url: ctx.url,
        devices,
        localAddresses: ctx.sourceAddresses(index),
        concurrency: Math.min(options.concurrency, devices.length),
        timeoutMs: options.timeoutMs,
      });
    }),
  );
  return summarizeConnects(reports.filter((r): r is ConnectReport => r !== undefined));
}

export function summarizeConnects(reports: readonly ConnectReport[]): ConnectSummary {
  const timeToCurrent = new Histogram();
  for (const report of reports) timeToCurrent.merge(report.timeToCurrent);
  const sum = (pick: (report: ConnectReport) => number) =>
    reports.reduce((total, report) => total + pick(report), 0);
  const firstStart = Math.min(...reports.map((r) => r.firstStartAt));
  const lastCurrent = Math.max(...reports.map((r) => r.lastCurrentAt));
  return {
    connected: sum((r) => r.connected),
    failed: sum((r) => r.failed),
    errors: reports.flatMap((r) => r.errors).slice(0, 10),
    timeToCurrent,
    missingUpdates: sum((r) => r.missingUpdates),
    duplicateUpdates: sum((r) => r.duplicateUpdates),
    pts: Object.assign({}, ...reports.map((r) => r.pts)) as Record<string, number>,
    wallMs: reports.length && lastCurrent > 0 ? lastCurrent - firstStart : 0,
    generators: reports.map((r) => r.usage),
  };
}

export async function disconnectAll(ctx: ScenarioContext): Promise<void> {
  await Promise.all(ctx.generators.map((generator) => generator.call('disconnect', {})));
}

/** Busy above this on any core, with the bench itself idle, means someone else is running. */
const QUIET_BUSY_PERCENT = 25;

/**
 * On a shared machine, waits (up to `ctx.quietWaitMs`) until no core is busier than
 * QUIET_BUSY_PERCENT over a second, the bench's own processes being idle. Resolves false if the
 * machine stayed busy.
 */
export async function waitForQuiet(ctx: ScenarioContext): Promise<boolean> {
  const deadline = Date.now() + ctx.quietWaitMs;
  let logged = false;
  for (;;) {
    const before = sampleMachine();
    await sleep(1_000);
    const busy = coreBusyBetween(before, sampleMachine());
    if (!busy || busy.every((percent) => percent < QUIET_BUSY_PERCENT)) return true;
    if (Date.now() >= deadline) {
      ctx.log(`cores still busy (${busy.join(' % / ')} %): measuring anyway`);
      return false;
    }
    if (!logged) ctx.log(`cores busy (${busy.join(' % / ')} %) with other work: waiting`);
    logged = true;
  }
}

/** How much other processes got in the way while something was measured. */
export interface Contention {
  /** Time the server's main thread was runnable but waited for a CPU (for anyone, its own
   * garbage collector threads included). */
  serverWaitingForCpuPercent: number | null;
  /** CPU of processes outside the benchmark (see othersCpu). */
  othersPercent: number | null;
  /** Every core, whoever kept it busy. */
  coresBusyPercent: number[] | null;
  contended: boolean;
}

export const NO_CONTENTION: Contention = {
  serverWaitingForCpuPercent: null,
  othersPercent: null,
  coresBusyPercent: null,
  contended: false,
};

/** Call at the start of a measurement; the returned function ends it. */
export function watchContention(ctx: ScenarioContext): () => Contention {
  const server = sampleServer(ctx);
  const machine = sampleMachine();
  const pids = benchPids(ctx);
  const ours = cpuOf(pids);
  return () => {
    const usage = usageBetween(server, sampleServer(ctx));
    const cores = coreBusyBetween(machine, sampleMachine()) ?? null;
    const others = othersCpu(cores, cpuPercentBetween(ours, cpuOf(pids)));
    const waiting = usage?.mainThreadRunQueuePercent ?? null;
    return {
      serverWaitingForCpuPercent: waiting,
      othersPercent: others,
      coresBusyPercent: cores,
      contended: isContended(others, waiting),
    };
  };
}
