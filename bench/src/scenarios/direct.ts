import { checkStored, lostCount, type StoreCheck } from '../check/loss.js';
import type {
  AckedMessage,
  DirectPair,
  DirectStepReport,
  GeneratorUsage,
} from '../generator/protocol.js';
import type { TimeWindow } from '../report/profile.js';
import { createDirectChats } from '../seed/chats.js';
import { Histogram, type LatencySummary } from '../stats/histogram.js';
import { sleep } from '../stats/limit.js';
import {
  coreBusyBetween,
  cpuOf,
  cpuPercentBetween,
  commandOf,
  parentOf,
  treeCpuOf,
  sampleMachine,
  sampleProcess,
  usageBetween,
  type ProcessSample,
  type ProcessUsage,
} from '../stats/proc.js';
import {
  connectDevices,
  deal,
  disconnectAll,
  isContended,
  othersCpu,
  benchPids,
  waitForQuiet,
  type ScenarioContext,
} from './context.js';

export interface DirectOptions {
  /** 1:1 chats, each with both members online; they send to each other in turn. */
  pairs: number;
  /** Offered rates (msgs/s, all generators together) to step through until the knee. */
  rates: number[];
  stepMs: number;
  /** A short low-rate step first, so the server's code is warm; not reported. */
  warmup: { ratePerSec: number; durationMs: number };
  drainTimeoutMs: number;
  textLength: number;
  /** A step whose p99 exceeds this is past the knee. */
  kneeP99Ms: number;
  /** Fraction of the measured capacity at which the latency target applies (0.7). */
  targetFraction: number;
  /** Run a step other processes disturbed once more, after waiting for quiet cores. */
  retryContended: boolean;
}

export interface DirectStep {
  /** `sweep` steps climb to the knee; `target` runs at targetFraction of the capacity found. */
  kind: 'sweep' | 'target';
  offeredPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  scheduled: number;
  acked: number;
  delivered: number;
  errors: number;
  /** Unanswered or undelivered when the step's drain gave up. */
  outstanding: number;
  /** Intended send → recipient's receipt. */
  latency: LatencySummary;
  /** Intended send → sender's ack (durably committed). */
  ackLatency: LatencySummary;
  /** Below 90 % of the offered rate, errors, left-overs or p99 past the knee. */
  saturated: boolean;
  /** Why: `throughput` (under 90 %), `errors`, `left-overs` (undrained), `latency` (p99). */
  saturatedBy: string[];
  /** CPU of processes outside the benchmark, percent of one core (see othersCpu). */
  othersPercent: number | null;
  /**
   * Processes outside the benchmark took more than CONTENDED_PERCENT of a core during the step.
   * Such a step says more about the machine than about the server.
   */
  contended: boolean;
  /** Node 0's process (the only node unless `--nodes`): all its threads. */
  server: ProcessUsage | null;
  /** Every node's, node 0 first (`[server]` for one node): nodes are not added up. */
  nodes: (ProcessUsage | null)[];
  /** The NATS server's, percent of one core; null without one. */
  busCpuPercent: number | null;
  /** PostgreSQL's backends serving the server, percent of one core; null on SQLite. */
  databaseCpuPercent: number | null;
  /** How busy each core was, by anyone: on a shared machine, more than server + generators. */
  coresBusyPercent: number[] | null;
  generators: GeneratorUsage[];
  errorSamples: string[];
}

export interface DirectReport {
  pairs: number;
  steps: DirectStep[];
  /** The highest acked and delivered rates any step reached: the capacity. */
  ackedPerSec: number;
  deliveredPerSec: number;
  /** p99 send → receipt at targetFraction of the capacity (the `target` step). */
  p99Ms: number | null;
  p99AtPerSec: number | null;
  /** First offered rate the server could not keep up with; null if it kept up with every one. */
  kneeOfferedPerSec: number | null;
  store: StoreCheck;
  /** Acked but never received by the recipient. */
  undelivered: number;
  /** Deliveries that match no send, or a seq that differs from the ack. */
  unexpected: number;
  duplicateUpdates: number;
  /** Missing from the database + undelivered. */
  lost: number;
  errors: number;
}

export interface DirectOutcome {
  report: DirectReport;
  /** Every acknowledged message, for checking against the database again (tests). */
  acked: AckedMessage[];
  /** When the measured steps sent (not the warm-up), to cut them out of a server profile. */
  loadWindows: TimeWindow[];
}

/**
 * Pairs of online users in 1:1 chats, sending at fixed open-loop rates that step up until the
 * server no longer keeps up, then once more at 70 % of the best rate reached. With several nodes,
 * the two devices of a pair connect to different nodes (pair i: nodes i and i + 1), so every
 * message crosses from one node to another through the bus.
 */
export async function runDirect(
  ctx: ScenarioContext,
  options: DirectOptions,
): Promise<DirectOutcome> {
  const generatorCount = Math.min(ctx.generators.length, options.pairs);
  const generators = ctx.generators.slice(0, generatorCount);
  const users = await ctx.users.first(options.pairs * 2);
  const pairsOfUsers = Array.from(
    { length: options.pairs },
    (_, i) => [users[2 * i]!, users[2 * i + 1]!] as [(typeof users)[0], (typeof users)[0]],
  );
  ctx.log(`direct: creating ${options.pairs} chats`);
  const chatIds = await createDirectChats(ctx.url, pairsOfUsers);
  const pairs: DirectPair[] = pairsOfUsers.map(([a, b], i) => ({
    chatId: chatIds[i]!,
    a: a.key,
    b: b.key,
  }));
  // Both devices of a pair in the same generator: ack and receipt on one clock, no IPC between.
  const pairShares = deal(pairs, generatorCount);
  const tokens = new Map(users.map((user) => [user.key, user.token]));
  const nodeOf = new Map<string, string>();
  if (ctx.nodes.length > 1) {
    pairs.forEach((pair, i) => {
      nodeOf.set(pair.a, ctx.nodes[i % ctx.nodes.length]!.url);
      nodeOf.set(pair.b, ctx.nodes[(i + 1) % ctx.nodes.length]!.url);
    });
  }
  const deviceShares = pairShares.map((share) =>
    share
      .flatMap((pair) => [pair.a, pair.b])
      .map((key) => ({
        key,
        token: tokens.get(key)!,
        ...(nodeOf.has(key) && { url: nodeOf.get(key)! }),
      })),
  );
  const connected = await connectDevices(ctx, deviceShares, {
    concurrency: 200,
    timeoutMs: 60_000,
  });
  if (connected.failed > 0)
    throw new Error(`direct: ${connected.failed} devices did not connect: ${connected.errors[0]}`);
  await Promise.all(
    generators.map((generator, i) => generator.call('direct.start', { pairs: pairShares[i]! })),
  );

  let index = 0;
  const loadWindows: TimeWindow[] = [];
  const busPids = ctx.busPid === undefined ? [] : [ctx.busPid];
  const runStep = async (kind: DirectStep['kind'], rate: number, durationMs: number) => {
    // Sampled when the sends end, not after the drain; or at the latest when the step returns.
    const before = sampleNodes(ctx);
    const machineBefore = sampleMachine();
    // The pool opens and closes connections: ask which backends serve it now.
    const databasePids = await ctx.database.serverProcessIds();
    const databaseBefore = cpuOf(databasePids);
    // Every process of a PostgreSQL on this machine is the benchmark's when telling its CPU from
    // other processes': autovacuum workers and new backends come and go within a step.
    // (A server elsewhere has pids that mean nothing here.)
    const backend = databasePids.find((pid) => commandOf(pid) === 'postgres');
    const postmaster = backend === undefined ? undefined : parentOf(backend);
    const postgresTree = () => (postmaster === undefined ? undefined : treeCpuOf(postmaster));
    const postgresBefore = postgresTree();
    const busBefore = cpuOf(busPids);
    const oursBefore = cpuOf(benchPids(ctx));
    const sampleEnd = () => ({
      nodes: sampleNodes(ctx),
      machine: sampleMachine(),
      database: cpuOf(databasePids),
      postgres: postgresTree(),
      bus: cpuOf(busPids),
      ours: cpuOf(benchPids(ctx)),
    });
    let end: ReturnType<typeof sampleEnd> | undefined;
    const timer = setTimeout(() => (end = sampleEnd()), durationMs);
    const reports = await Promise.all(
      generators.map((generator) =>
        generator.call('direct.step', {
          index: index,
          ratePerSec: rate / generatorCount,
          durationMs,
          drainTimeoutMs: options.drainTimeoutMs,
          textLength: options.textLength,
        }),
      ),
    );
    clearTimeout(timer);
    end ??= sampleEnd();
    index += 1;
    if (index > 1) {
      const fromMs = Math.min(...reports.map((report) => report.startAt));
      loadWindows.push({ fromMs, toMs: fromMs + durationMs });
    }
    const nodes = before.map((sample, i) => usageBetween(sample, end!.nodes[i]) ?? null);
    const step = combineStep(kind, rate, durationMs, reports, nodes, options);
    step.coresBusyPercent = coreBusyBetween(machineBefore, end.machine) ?? null;
    step.databaseCpuPercent = cpuPercentBetween(databaseBefore, end.database);
    const postgres =
      postgresBefore && end.postgres
        ? ((end.postgres.cpuMs - postgresBefore.cpuMs) / (end.postgres.at - postgresBefore.at)) *
          100
        : (step.databaseCpuPercent ?? 0);
    const ours = cpuPercentBetween(oursBefore, end.ours);
    step.othersPercent = othersCpu(step.coresBusyPercent, ours === null ? null : ours + postgres);
    const waiting = nodes.map((node) => node?.mainThreadRunQueuePercent ?? 0);
    step.contended = isContended(step.othersPercent, nodes[0] ? Math.max(...waiting) : null);
    step.busCpuPercent = cpuPercentBetween(busBefore, end.bus);
    return step;
  };

  ctx.log(`direct: warm-up at ${options.warmup.ratePerSec} msgs/s`);
  await runStep('sweep', options.warmup.ratePerSec, options.warmup.durationMs);
  const steps: DirectStep[] = [];
  let knee: number | null = null;
  // A step other processes got in the way of is run once more when the machine is quiet again;
  // both stay in the report.
  const measure = async (kind: DirectStep['kind'], rate: number) => {
    let step = await runStep(kind, rate, options.stepMs);
    steps.push(step);
    ctx.log(`direct: ${describeStep(step)}`);
    if (step.contended && options.retryContended) {
      await waitForQuiet(ctx);
      step = await runStep(kind, rate, options.stepMs);
      steps.push(step);
      ctx.log(`direct: again: ${describeStep(step)}`);
    }
    return step;
  };
  for (const rate of options.rates) {
    const step = await measure('sweep', rate);
    if (step.saturated) {
      knee = rate;
      break;
    }
  }
  const capacity = Math.max(...steps.map((step) => step.ackedPerSec));
  const targetRate = Math.max(1, Math.round(capacity * options.targetFraction));
  // Let whatever the overloaded step left behind drain before measuring latency.
  await sleep(1_000);
  ctx.log(`direct: at ${options.targetFraction * 100} % of capacity`);
  const target = await measure('target', targetRate);

  const finished = await Promise.all(
    generators.map((generator) =>
      generator.call('direct.finish', { timeoutMs: options.drainTimeoutMs }),
    ),
  );
  await disconnectAll(ctx);
  const acked = finished.flatMap((f) => f.acked);
  const store = await checkStored(ctx.database, acked);
  const undelivered = finished.reduce((sum, f) => sum + f.undelivered, 0);
  const unexpected = finished.reduce((sum, f) => sum + f.unexpected, 0);
  const report: DirectReport = {
    pairs: options.pairs,
    steps,
    ackedPerSec: capacity,
    deliveredPerSec: Math.max(...steps.map((step) => step.deliveredPerSec)),
    p99Ms: Number.isNaN(target.latency.p99) ? null : target.latency.p99,
    p99AtPerSec: targetRate,
    kneeOfferedPerSec: knee,
    store,
    undelivered,
    unexpected,
    duplicateUpdates: finished.reduce((sum, f) => sum + f.duplicateUpdates, 0) + store.duplicated,
    lost: lostCount(store, undelivered),
    errors: steps.reduce((sum, step) => sum + step.errors, 0) + unexpected + store.wrongSeq,
  };
  return { report, acked, loadWindows };
}

function combineStep(
  kind: DirectStep['kind'],
  rate: number,
  durationMs: number,
  reports: DirectStepReport[],
  nodes: (ProcessUsage | null)[],
  options: DirectOptions,
): DirectStep {
  const latency = new Histogram();
  const ackLatency = new Histogram();
  for (const report of reports) {
    latency.merge(report.deliveryLatency);
    ackLatency.merge(report.ackLatency);
  }
  const sum = (pick: (report: DirectStepReport) => number) =>
    reports.reduce((total, report) => total + pick(report), 0);
  const startAt = Math.min(...reports.map((r) => r.startAt));
  // Throughput over the step, or longer if the answers trailed behind the last send.
  const perSec = (count: number, lastAt: number) =>
    Math.round((count * 1000) / Math.max(durationMs, lastAt - startAt));
  const acked = sum((r) => r.acked);
  const delivered = sum((r) => r.delivered);
  const ackedPerSec = perSec(acked, Math.max(...reports.map((r) => r.lastAckAt)));
  const deliveredPerSec = perSec(delivered, Math.max(...reports.map((r) => r.lastDeliveryAt)));
  const errors = sum((r) => r.errors);
  const outstanding = sum((r) => r.outstanding);
  const summary = latency.summary();
  const saturatedBy = [
    ...(ackedPerSec < 0.9 * rate || deliveredPerSec < 0.9 * rate ? ['throughput'] : []),
    ...(errors > 0 ? ['errors'] : []),
    ...(outstanding > 0 ? ['left-overs'] : []),
    ...(summary.p99 <= options.kneeP99Ms ? [] : ['latency']),
  ];
  return {
    kind,
    offeredPerSec: rate,
    ackedPerSec,
    deliveredPerSec,
    scheduled: sum((r) => r.scheduled),
    acked,
    delivered,
    errors,
    outstanding,
    latency: summary,
    ackLatency: ackLatency.summary(),
    saturated: saturatedBy.length > 0,
    saturatedBy,
    server: nodes[0] ?? null,
    nodes,
    busCpuPercent: null,
    othersPercent: null,
    contended: false,
    databaseCpuPercent: null,
    coresBusyPercent: null,
    generators: reports.map((r) => r.usage),
    errorSamples: reports.flatMap((r) => r.errorSamples).slice(0, 5),
  };
}

/** Each node's process, node 0 first. */
function sampleNodes(ctx: ScenarioContext): (ProcessSample | undefined)[] {
  return ctx.nodes.map((node) => (node.pid === undefined ? undefined : sampleProcess(node.pid)));
}

function describeStep(step: DirectStep): string {
  const nodes = step.nodes.map((node) => `${node?.cpuPercent ?? '?'} %`).join(' + ');
  const cpu =
    (step.server ? `, ${step.nodes.length > 1 ? 'nodes' : 'server'} CPU ${nodes}` : '') +
    (step.busCpuPercent !== null ? `, NATS CPU ${step.busCpuPercent} %` : '') +
    (step.databaseCpuPercent !== null ? `, PostgreSQL CPU ${step.databaseCpuPercent} %` : '');
  return (
    `offered ${step.offeredPerSec}/s → acked ${step.ackedPerSec}/s, delivered ` +
    `${step.deliveredPerSec}/s, p50 ${step.latency.p50} ms, p99 ${step.latency.p99} ms` +
    `${step.errors ? `, ${step.errors} errors` : ''}${cpu}${step.saturated ? ` (past the knee: ${step.saturatedBy.join(', ')})` : ''}` +
    `${step.contended ? ` (contended: other processes took ${step.othersPercent ?? step.server?.mainThreadRunQueuePercent} % of a core)` : ''}`
  );
}
