import { readFileSync, readdirSync } from 'node:fs';
import { monotonicMs } from './clock.js';

/** A process as Linux's /proc sees it at one moment. */
export interface ProcessSample {
  at: number;
  rssBytes: number;
  /** CPU time of all its threads (user + system). */
  cpuMs: number;
  /** CPU time of the main thread alone: the event loop, plus anything it runs synchronously. */
  mainThreadCpuMs: number;
  /** Time the main thread was ready to run but waited for a CPU. */
  mainThreadRunQueueMs: number;
  /** Times the process blocked (I/O such as fsync, or an idle event loop). */
  voluntarySwitches: number;
  openFiles: number;
}

/** What happened between two samples. */
export interface ProcessUsage {
  /** Percent of one core, all threads. */
  cpuPercent: number;
  mainThreadCpuPercent: number;
  mainThreadRunQueuePercent: number;
  voluntarySwitchesPerSec: number;
  rssBytes: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node runs on

/** Undefined where there is no /proc (or the process is gone). */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const [runNs = 0, waitNs = 0] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
    return {
      at: monotonicMs(),
      rssBytes: field('VmRSS') * 1024,
      cpuMs: (ticks * 1000) / TICKS_PER_SECOND,
      mainThreadCpuMs: runNs / 1e6,
      mainThreadRunQueueMs: waitNs / 1e6,
      voluntarySwitches: field('voluntary_ctxt_switches'),
      openFiles: readdirSync(`/proc/${pid}/fd`).length,
    };
  } catch {
    return undefined;
  }
}

export function usageBetween(
  before: ProcessSample | undefined,
  after: ProcessSample | undefined,
): ProcessUsage | undefined {
  if (!before || !after || after.at <= before.at) return undefined;
  const wallMs = after.at - before.at;
  const percent = (ms: number) => Math.round((ms / wallMs) * 1000) / 10;
  return {
    cpuPercent: percent(after.cpuMs - before.cpuMs),
    mainThreadCpuPercent: percent(after.mainThreadCpuMs - before.mainThreadCpuMs),
    mainThreadRunQueuePercent: percent(after.mainThreadRunQueueMs - before.mainThreadRunQueueMs),
    voluntarySwitchesPerSec: Math.round(
      ((after.voluntarySwitches - before.voluntarySwitches) * 1000) / wallMs,
    ),
    rssBytes: after.rssBytes,
  };
}

/** Busy and idle time of each core since boot, from /proc/stat (in USER_HZ ticks). */
export interface MachineSample {
  cores: { busy: number; total: number }[];
}

export function sampleMachine(): MachineSample | undefined {
  try {
    const cores = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((line) => /^cpu\d+ /.test(line))
      .map((line) => {
        const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, ...rest] = line
          .split(/\s+/)
          .slice(1)
          .map(Number);
        // irq, softirq, steal; guest time is already inside user.
        const other = rest.slice(0, 3).reduce((a, b) => a + b, 0);
        const busy = user + nice + system + other;
        return { busy, total: busy + idle + iowait };
      });
    return { cores };
  } catch {
    return undefined;
  }
}

/** Percent busy of each core between two samples, whoever kept it busy. */
export function coreBusyBetween(
  before: MachineSample | undefined,
  after: MachineSample | undefined,
): number[] | undefined {
  if (!before || !after) return undefined;
  return after.cores.map((core, i) => {
    const start = before.cores[i] ?? { busy: 0, total: 0 };
    const total = core.total - start.total;
    return total > 0 ? Math.round(((core.busy - start.busy) / total) * 1000) / 10 : 0;
  });
}

/** The 1-minute load average: anything above the bench's own processes means a shared machine. */
export function loadAverage(): number | undefined {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of each of several processes, e.g. a database's backends. */
export function cpuOf(pids: readonly number[]): { at: number; cpuMs: Map<number, number> } {
  const cpuMs = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuMs.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    } catch {
      // Gone, or not on this machine.
    }
  }
  return { at: monotonicMs(), cpuMs };
}

/** Percent of one core the processes used between two samples (those alive in both). */
export function cpuPercentBetween(
  before: ReturnType<typeof cpuOf>,
  after: ReturnType<typeof cpuOf>,
): number | null {
  if (before.cpuMs.size === 0 || after.at <= before.at) return null;
  let ms = 0;
  for (const [pid, start] of before.cpuMs) {
    const end = after.cpuMs.get(pid);
    if (end !== undefined) ms += end - start;
  }
  return Math.round((ms / (after.at - before.at)) * 1000) / 10;
}

/** A process's stat fields after its name: [2] is its parent, [11..14] its and its reaped children's CPU. */
function statFields(pid: number): number[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
  } catch {
    return undefined;
  }
}

export function parentOf(pid: number): number | undefined {
  return statFields(pid)?.[1];
}

/** The name a process runs under (`postgres`, `node`), if it runs here. */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) of a process and all its children, those still running and those it has reaped:
 * for a PostgreSQL server, every backend and worker, even one that came and went between samples.
 */
export function treeCpuOf(root: number): { at: number; cpuMs: number } | undefined {
  const own = statFields(root);
  if (!own) return undefined;
  let ticks = own.slice(11, 15).reduce((sum, value) => sum + value, 0);
  for (const entry of readdirSync('/proc')) {
    const fields = /^\d+$/.test(entry) ? statFields(Number(entry)) : undefined;
    if (fields?.[1] === root) ticks += fields[11]! + fields[12]!;
  }
  return { at: monotonicMs(), cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
}

/** Processes whose command line (argv) matches, e.g. a server started by a wrapper. */
export function findProcesses(matches: (argv: string[]) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  return entries
    .filter((pid) => {
      try {
        return matches(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}
