import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openBenchDatabase, provisionDatabase, type BenchDatabase } from './database.js';
import { ForkedGenerator, type GeneratorLink } from './generator/link.js';
import { gitState, machineInfo, pinSelf, planCpus } from './machine.js';
import type { BenchOptions } from './options.js';
import { summarizeProfile, type ProfileSummary, type TimeWindow } from './report/profile.js';
import { checkTargets, type BenchResults, type ScenarioName } from './report/results.js';
import { runCatchup } from './scenarios/catchup.js';
import { waitForQuiet, type ScenarioContext } from './scenarios/context.js';
import { runDirect } from './scenarios/direct.js';
import { runGroup } from './scenarios/group.js';
import { runIdle } from './scenarios/idle.js';
import { runSecret } from './scenarios/secret.js';
import { UserPool } from './seed/users.js';
import { startNodes, type BenchNodes } from './nodes.js';
import { monotonicMs } from './stats/clock.js';
import { loadAverage } from './stats/proc.js';

/** Generator g binds to two addresses of its own: 127.0.0.2 and .3 for the first, and so on. */
export function sourceAddresses(generator: number): string[] {
  return [`127.0.0.${2 + 2 * generator}`, `127.0.0.${3 + 2 * generator}`];
}

/**
 * One bench run: a fresh database, the server (or several nodes and NATS) and the generators in
 * their own processes (pinned apart when possible), each chosen scenario in turn, then everything
 * torn down.
 */
export async function runBench(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<BenchResults> {
  const startedAt = new Date();
  const began = monotonicMs();
  const loadAtStart = loadAverage();
  const machine = machineInfo();
  if (loadAtStart !== undefined && loadAtStart > 0.5)
    log(
      `warning: load average ${loadAtStart} before starting: other processes compete for the cores`,
    );
  const cpus = planCpus(options.pin, options.nodes);
  log(`cpus: ${cpus.note}`);
  const provisioned = await provisionDatabase(options.db);
  log(`database: ${provisioned.dialect} ${JSON.stringify(provisioned.details)}`);

  const profileDir = options.profile
    ? join(options.outDir, `profile-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });

  let nodes: BenchNodes | undefined;
  let generators: GeneratorLink[] = [];
  let database: BenchDatabase | undefined;
  const users = { value: undefined as UserPool | undefined };
  const scenarioResults: Partial<Pick<BenchResults, ScenarioName>> = {};
  const failures: BenchResults['failures'] = [];
  let profiles: { main?: ProfileSummary; writeThread?: ProfileSummary } = {};
  // A profile is summarised over the direct steps if they ran, else over the catch-up waves.
  let profileWindows: { label: string; spans: TimeWindow[] } | undefined;
  try {
    nodes = await startNodes({
      count: options.nodes,
      bus: options.bus,
      cliPath: options.cliPath,
      databaseUrl: provisioned.url,
      taskset: cpus.server,
      ...(profileDir && { cpuProfileDir: profileDir }),
    });
    // Only now: PostgreSQL and NATS, started above, would inherit the load's cores.
    pinSelf(cpus);
    const server = nodes.servers[0]!;
    if (nodes.bus) log(`bus: ${nodes.bus.url} (${nodes.bus.version}, pid ${nodes.bus.pid ?? '?'})`);
    for (const [i, node] of nodes.servers.entries())
      log(`${nodes.servers.length > 1 ? `node ${i}` : 'server'}: ${node.url} (pid ${node.pid})`);
    generators = await Promise.all(
      Array.from({ length: options.generators }, (_, i) =>
        ForkedGenerator.start(i, { taskset: cpus.generators }),
      ),
    );
    database = await openBenchDatabase(provisioned.url);
    users.value = new UserPool(server.url);
    const ctx: ScenarioContext = {
      url: server.url,
      server,
      nodes: nodes.servers,
      busPid: nodes.bus?.pid,
      generators,
      users: users.value,
      database,
      sourceAddresses,
      log,
      quietWaitMs: options.quietWaitMs,
    };
    for (const name of options.scenarios) {
      const started = monotonicMs();
      try {
        if (ctx.quietWaitMs > 0) await waitForQuiet(ctx);
        if (name === 'idle') scenarioResults.idle = await runIdle(ctx, options.idle);
        if (name === 'direct') {
          const outcome = await runDirect(ctx, options.direct);
          scenarioResults.direct = outcome.report;
          profileWindows = {
            label: 'the direct scenario’s load steps',
            spans: outcome.loadWindows,
          };
        }
        if (name === 'group') scenarioResults.group = await runGroup(ctx, options.group);
        if (name === 'secret') scenarioResults.secret = await runSecret(ctx, options.secret);
        if (name === 'catchup') {
          const outcome = await runCatchup(ctx, options.catchup);
          scenarioResults.catchup = outcome.report;
          profileWindows ??= { label: 'the catch-up waves', spans: outcome.loadWindows };
        }
        log(`${name}: done in ${Math.round((monotonicMs() - started) / 100) / 10} s`);
      } catch (error) {
        const message = (error as Error).message;
        failures.push({ scenario: name, error: message });
        log(`${name}: FAILED: ${message}`);
        // Whatever the scenario left connected must not weigh on the next one.
        await Promise.all(generators.map((g) => g.call('disconnect', {}).catch(() => {})));
      }
    }
  } finally {
    await Promise.all(generators.map((generator) => generator.close()));
    await database?.close();
    await nodes?.stop(log);
    if (profileDir) profiles = await serverProfiles(profileDir, profileWindows);
    if (options.keepDb) log(`database kept: ${provisioned.url}`);
    else await provisioned.drop();
  }

  const seeding = users.value?.seeding ?? { users: 0, ms: 0 };
  const { idle, direct, group, catchup, secret } = scenarioResults;
  const partial: Omit<BenchResults, 'targets'> = {
    schema: 1,
    mode: options.mode,
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((monotonicMs() - began) / 1000),
    machine,
    loadAverage: { atStart: loadAtStart ?? null, atEnd: loadAverage() ?? null },
    cpus: {
      pinned: cpus.pinned,
      serverCpus: cpus.serverCpus,
      loadCpus: cpus.loadCpus,
      note: cpus.note,
    },
    generators: options.generators,
    sourceAddresses: Array.from({ length: options.generators }, (_, i) =>
      sourceAddresses(i),
    ).flat(),
    database: { dialect: provisioned.dialect, details: provisioned.details },
    server: {
      cli: options.cliPath,
      git: gitState(dirname(options.cliPath)) ?? null,
      profiled: options.profile,
    },
    nodes: options.nodes,
    bus: nodes?.bus ? { version: nodes.bus.version } : null,
    seeding: {
      users: seeding.users,
      seconds: Math.round(seeding.ms / 100) / 10,
      usersPerSec: seeding.ms ? Math.round((seeding.users * 1000) / seeding.ms) : 0,
    },
    ...scenarioResults,
    lost: (direct?.lost ?? 0) + (group?.lost ?? 0) + (catchup?.lost ?? 0) + (secret?.missing ?? 0),
    duplicates:
      (direct?.duplicateUpdates ?? 0) +
      (group?.duplicateUpdates ?? 0) +
      (catchup?.duplicateUpdates ?? 0),
    errors:
      (idle?.failed ?? 0) + (direct?.errors ?? 0) + (group?.errors ?? 0) + (catchup?.failed ?? 0),
    failures,
    ...(profiles.main && { profile: profiles.main }),
    ...(profiles.writeThread && { writeThreadProfile: profiles.writeThread }),
  };
  return { ...partial, targets: checkTargets(partial) };
}

/** The server's profiles, summarised over the measured windows: its event loop's and its write thread's. */
async function serverProfiles(
  dir: string,
  windows: { label: string; spans: TimeWindow[] } | undefined,
): Promise<{ main?: ProfileSummary; writeThread?: ProfileSummary }> {
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the event loop; worker threads
  // (the SQLite write thread, the checkpointer) write their own, told apart by their code.
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile')).sort();
  const main = files.filter((file) => /\.0\.\d+\.cpuprofile$/.test(file)).at(-1);
  let writeThread: string | undefined;
  for (const file of files.filter((f) => f !== main)) {
    if ((await readFile(join(dir, file), 'utf8')).includes('write-thread-worker'))
      writeThread = file;
  }
  return {
    ...(main && { main: await summarizeProfile(join(dir, main), windows) }),
    ...(writeThread && { writeThread: await summarizeProfile(join(dir, writeThread), windows) }),
  };
}
