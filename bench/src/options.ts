import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCENARIOS, type ScenarioName } from './report/results.js';
import type { CatchupOptions } from './scenarios/catchup.js';
import type { DirectOptions } from './scenarios/direct.js';
import type { GroupOptions } from './scenarios/group.js';
import type { IdleOptions } from './scenarios/idle.js';
import type { SecretOptions } from './scenarios/secret.js';

export interface BenchOptions {
  mode: 'quick' | 'full';
  /** `sqlite`, `postgres` (a throwaway server) or a `postgres://` URL (a fresh database on it). */
  db: string;
  scenarios: ScenarioName[];
  /** `tokki serve` processes sharing the database through NATS (direct scenario only when > 1). */
  nodes: number;
  /** Start NATS and pass `--bus` even to one node (implied by nodes > 1). */
  bus: boolean;
  generators: number;
  pin: boolean;
  /** Run the server under `node --cpu-prof` and summarise the profile. */
  profile: boolean;
  keepDb: boolean;
  /** Longest wait for other processes to leave the cores alone before a scenario (0: none). */
  quietWaitMs: number;
  cliPath: string;
  outDir: string;
  idle: IdleOptions;
  direct: DirectOptions;
  group: GroupOptions;
  catchup: CatchupOptions;
  secret: SecretOptions;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Under two minutes with setup: enough to see where the server stands. */
function quick(): Omit<
  BenchOptions,
  'db' | 'scenarios' | 'nodes' | 'bus' | 'pin' | 'profile' | 'keepDb' | 'cliPath' | 'outDir'
> {
  return {
    mode: 'quick',
    quietWaitMs: 5_000,
    generators: 2,
    idle: { connections: 5_000, settleMs: 2_000, concurrency: 250 },
    direct: {
      pairs: 200,
      rates: [500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000],
      stepMs: 2_000,
      warmup: { ratePerSec: 200, durationMs: 1_000 },
      drainTimeoutMs: 10_000,
      textLength: 40,
      kneeP99Ms: 1_000,
      targetFraction: 0.7,
      retryContended: false,
    },
    group: { members: 1_000, messages: 10, burst: 20, textLength: 40, timeoutMs: 30_000 },
    catchup: {
      devices: 200,
      waves: [1, 10, 100, 200],
      chatsPerDevice: 50,
      messagesPerDevice: 1_000,
      devicesPerChat: 100,
      timeoutMs: 60_000,
    },
    secret: { pairs: 10, messages: 20, textLength: 40, timeoutMs: 30_000 },
  };
}

/** The sizes: 15,000 idle connections, 10-second steps, 1,000 devices catching up. */
function full(): ReturnType<typeof quick> {
  const base = quick();
  return {
    ...base,
    mode: 'full',
    quietWaitMs: 120_000,
    idle: { connections: 15_000, settleMs: 5_000, concurrency: 500 },
    direct: {
      ...base.direct,
      pairs: 1_000,
      rates: [
        500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000, 12_000, 14_000, 16_000,
        20_000, 25_000, 30_000,
      ],
      stepMs: 10_000,
      warmup: { ratePerSec: 500, durationMs: 3_000 },
      drainTimeoutMs: 30_000,
      retryContended: true,
    },
    group: { ...base.group, messages: 20, burst: 50 },
    catchup: { ...base.catchup, devices: 1_000, waves: [1, 10, 100, 1_000], timeoutMs: 120_000 },
    secret: { ...base.secret, pairs: 50, messages: 100 },
  };
}

export const USAGE = `Usage: npm run bench -- [options]

Drives a real Tokki server (started here as a child process) over real WebSockets from
separate generator processes, and reports throughput, latency, memory and lost messages.

  --full                 the long run (15,000 idle connections, 10 s steps, …); default: quick
  --db <db>              sqlite (default: a fresh file in a temp dir), postgres (a throwaway
                         PostgreSQL from Debian's binaries) or postgres://… (a fresh database
                         on that server; the role needs CREATEDB)
  --scenarios <list>     comma-separated: ${SCENARIOS.join(',')} (default: all)
  --nodes <n>            tokki serve processes on one PostgreSQL (needs --db postgres…),
                         with a throwaway nats-server between them (--bus); default 1.
                         With 2 or more only the direct scenario runs, its devices spread so
                         that the two ends of every 1:1 chat are on different nodes; seeding
                         goes through node 0, and CPU is reported node by node
  --nats                 one node with --bus all the same: what NATS costs without crossing
  --generators <n>       generator processes (default 2)
  --connections <n>      idle connections
  --pairs <n>            direct: 1:1 chats sending to each other
  --rates <list>         direct: offered msgs/s to step through, e.g. 1000,2000,4000
  --step-seconds <s>     direct: length of each step
  --members <n>          group: online members
  --catchup-devices <n>  catch-up: devices reconnecting at once in the last wave (waves of
                         1, 10, 100 and n)
  --profile              run the server under node --cpu-prof and summarise the top functions
  --cli <path>           the tokki CLI to serve with (default: packages/cli/dist/bin.js)
  --no-pin               do not pin the server and the generators to separate cores
  --keep-db              keep the database afterwards
  --no-wait              on a shared machine, do not wait for other processes to quiet down
                         before each scenario, nor repeat a direct step they disturbed (the
                         full run does both; the quick run waits at most 5 s, never repeats)
  --out <dir>            where results go (default: bench/results)
  -h, --help             this text
`;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      full: { type: 'boolean', default: false },
      db: { type: 'string', default: 'sqlite' },
      scenarios: { type: 'string' },
      nodes: { type: 'string' },
      nats: { type: 'boolean', default: false },
      generators: { type: 'string' },
      connections: { type: 'string' },
      pairs: { type: 'string' },
      rates: { type: 'string' },
      'step-seconds': { type: 'string' },
      members: { type: 'string' },
      'catchup-devices': { type: 'string' },
      profile: { type: 'boolean', default: false },
      cli: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const base = values.full ? full() : quick();
  const nodes = values.nodes ? positive(values.nodes, '--nodes') : 1;
  if (!Number.isInteger(nodes)) throw new Error('--nodes needs a whole number');
  if (nodes > 1 && !values.db.startsWith('postgres'))
    throw new Error(
      `--nodes ${nodes} needs --db postgres or a postgres:// URL: nodes share one database`,
    );
  const scenarios = values.scenarios
    ? values.scenarios.split(',').map((name) => name.trim())
    : nodes > 1
      ? ['direct']
      : [...SCENARIOS];
  for (const name of scenarios) {
    if (!SCENARIOS.includes(name as ScenarioName))
      throw new Error(`Unknown scenario "${name}"; choose from ${SCENARIOS.join(', ')}`);
  }
  // Idle, group and catch-up measure one server (its memory, its fan-out, its replay): across
  // nodes they would need devices spread and figures summed in ways not built yet.
  const singleNode = scenarios.filter((name) => name !== 'direct');
  if (nodes > 1 && singleNode.length)
    throw new Error(
      `--nodes ${nodes} runs only the direct scenario, not ${singleNode.join(', ')}: ` +
        'add --scenarios direct',
    );
  const options: BenchOptions = {
    ...base,
    db: values.db,
    scenarios: scenarios as ScenarioName[],
    nodes,
    bus: nodes > 1 || values.nats,
    pin: !values['no-pin'],
    profile: values.profile,
    keepDb: values['keep-db'],
    cliPath: values.cli ?? `${REPO}packages/cli/dist/bin.js`,
    outDir: values.out ?? `${REPO}bench/results`,
  };
  if (values['no-wait']) {
    options.quietWaitMs = 0;
    options.direct.retryContended = false;
  }
  if (values.generators) options.generators = positive(values.generators, '--generators');
  if (values.connections) options.idle.connections = positive(values.connections, '--connections');
  if (values.pairs) options.direct.pairs = positive(values.pairs, '--pairs');
  if (values.rates)
    options.direct.rates = values.rates.split(',').map((rate) => positive(rate, '--rates'));
  if (values['step-seconds'])
    options.direct.stepMs = positive(values['step-seconds'], '--step-seconds') * 1000;
  if (values.members) options.group.members = positive(values.members, '--members');
  if (values['catchup-devices']) {
    const devices = positive(values['catchup-devices'], '--catchup-devices');
    options.catchup.devices = devices;
    options.catchup.waves = [...new Set([1, 10, 100, devices].filter((n) => n <= devices))];
  }
  return options;
}

function positive(value: string, flag: string): number {
  const number = Number(value);
  if (!(number > 0) || !Number.isFinite(number)) throw new Error(`${flag} needs a positive number`);
  return number;
}
