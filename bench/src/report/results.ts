import type { MachineInfo } from '../machine.js';
import type { CatchupReport } from '../scenarios/catchup.js';
import type { DirectReport } from '../scenarios/direct.js';
import type { GroupReport } from '../scenarios/group.js';
import type { IdleReport } from '../scenarios/idle.js';
import type { SecretReport } from '../scenarios/secret.js';
import type { ProfileSummary } from './profile.js';

export type ScenarioName = 'idle' | 'direct' | 'group' | 'catchup' | 'secret';
export const SCENARIOS: readonly ScenarioName[] = ['idle', 'direct', 'group', 'catchup', 'secret'];

/** Everything one run measured: written as bench/results/latest.json. */
export interface BenchResults {
  schema: 1;
  mode: 'quick' | 'full';
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  /** 1-minute load average before and after: well above the bench's own share means other
   * processes competed for the cores, and the figures are pessimistic. */
  loadAverage: { atStart: number | null; atEnd: number | null };
  cpus: { pinned: boolean; serverCpus: string; loadCpus: string; note: string };
  generators: number;
  sourceAddresses: string[];
  database: { dialect: 'sqlite' | 'postgres'; details: Record<string, string> };
  server: { cli: string; git: { commit: string; dirty: boolean } | null; profiled: boolean };
  /** `tokki serve` processes on the one database (1 unless `--nodes`); only node 0 is profiled. */
  nodes: number;
  /** The NATS server between the nodes (`--bus`); null for one node on its in-process bus. */
  bus: { version: string } | null;
  /** Signing users in through the API (setup, not measured load). */
  seeding: { users: number; seconds: number; usersPerSec: number };
  idle?: IdleReport;
  direct?: DirectReport;
  group?: GroupReport;
  catchup?: CatchupReport;
  secret?: SecretReport;
  /** Over every scenario: acknowledged messages missing from the database, plus deliveries
   * (or catch-up updates) that never arrived. Must be 0. */
  lost: number;
  duplicates: number;
  errors: number;
  /** Scenarios that could not finish, and why. */
  failures: { scenario: ScenarioName; error: string }[];
  targets: TargetCheck[];
  profile?: ProfileSummary;
  /** The SQLite write thread's profile (SQLite only). */
  writeThreadProfile?: ProfileSummary;
}

/** One of issue #4's targets against what was measured. */
export interface TargetCheck {
  scenario: ScenarioName | 'all';
  metric: string;
  target: string;
  measured: number | null;
  unit: string;
  /** null: not measured, or measured at a size where the target does not apply (quick run). */
  met: boolean | null;
  note?: string;
}

export const TARGETS = {
  idleConnections: 15_000,
  idleBytesPerConnection: 10 * 1024,
  directPerSec: 20_000,
  directP99Ms: 50,
  directP99Fraction: 0.7,
  groupDeliveriesPerSec: 100_000,
  catchupP99Ms: 200,
} as const;

export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const { idle, direct, group, catchup } = results;
  if (idle) {
    const fullSize = idle.connections >= TARGETS.idleConnections;
    checks.push({
      scenario: 'idle',
      metric: 'connections in one server',
      target: `≥ ${TARGETS.idleConnections.toLocaleString('en')}`,
      measured: idle.connections,
      unit: '',
      met: fullSize ? true : results.mode === 'quick' ? null : false,
      ...(!fullSize && results.mode === 'quick' && { note: 'quick run opens fewer' }),
    });
    checks.push({
      scenario: 'idle',
      metric: 'server RSS per connection',
      target: '≤ 10 KiB',
      measured: idle.bytesPerConnection,
      unit: 'B',
      met:
        idle.bytesPerConnection === null
          ? null
          : idle.bytesPerConnection <= TARGETS.idleBytesPerConnection,
    });
  }
  if (direct) {
    checks.push({
      scenario: 'direct',
      metric: 'acked msgs/s (capacity)',
      target: `≥ ${TARGETS.directPerSec.toLocaleString('en')}`,
      measured: direct.ackedPerSec,
      unit: '/s',
      met: direct.ackedPerSec >= TARGETS.directPerSec,
    });
    checks.push({
      scenario: 'direct',
      metric: 'delivered msgs/s (capacity)',
      target: `≥ ${TARGETS.directPerSec.toLocaleString('en')}`,
      measured: direct.deliveredPerSec,
      unit: '/s',
      met: direct.deliveredPerSec >= TARGETS.directPerSec,
    });
    const targetRate = TARGETS.directPerSec * TARGETS.directP99Fraction;
    checks.push({
      scenario: 'direct',
      metric: `p99 send → receipt at 70 % of capacity`,
      target: `≤ ${TARGETS.directP99Ms} ms at ${targetRate.toLocaleString('en')}/s`,
      measured: direct.p99Ms,
      unit: 'ms',
      met:
        direct.p99Ms === null
          ? null
          : direct.p99Ms <= TARGETS.directP99Ms && (direct.p99AtPerSec ?? 0) >= targetRate,
      note: `measured at ${direct.p99AtPerSec?.toLocaleString('en')}/s`,
    });
  }
  if (group) {
    checks.push({
      scenario: 'group',
      metric: `deliveries/s, one message to ${group.members.toLocaleString('en')} online`,
      target: `≥ ${TARGETS.groupDeliveriesPerSec.toLocaleString('en')}`,
      measured: group.deliveriesPerSec,
      unit: '/s',
      met: group.messages.length ? group.deliveriesPerSec >= TARGETS.groupDeliveriesPerSec : null,
    });
  }
  if (catchup) {
    checks.push({
      scenario: 'catchup',
      metric: `p99 until current (${(catchup.waves.at(-1)?.devices ?? 0).toLocaleString('en')} reconnect at once)`,
      target: `< ${TARGETS.catchupP99Ms} ms`,
      measured: Number.isNaN(catchup.p99Ms) ? null : catchup.p99Ms,
      unit: 'ms',
      met: Number.isNaN(catchup.p99Ms) ? null : catchup.p99Ms < TARGETS.catchupP99Ms,
    });
  }
  checks.push({
    scenario: 'all',
    metric: 'lost messages',
    target: '0',
    measured: results.lost,
    unit: '',
    met: results.lost === 0 && results.failures.length === 0,
    ...(results.failures.length > 0 && { note: 'a scenario failed: not everything was checked' }),
  });
  return checks;
}
