import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { arch, availableParallelism, cpus, release, totalmem, type } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  nodeVersion: string;
  platform: string;
  memoryGiB: number;
  openFileLimit: number | undefined;
}

export function machineInfo(): MachineInfo {
  const limit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    // All of the machine's cores, not just the ones this process may run on once pinned.
    cores: cpus().length,
    nodeVersion: process.version,
    platform: `${type()} ${release()} ${arch()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    openFileLimit: Number(limit) || undefined,
  };
}

/**
 * Which cores the server and the load get. On two or more cores with util-linux's `taskset`, the
 * coordinator and generators share every core but 0, and the server may run on any: its event
 * loop mostly on core 0, while its SQLite write thread takes what the generators leave of the
 * others. (Pinning the whole server to core 0 put the write thread on the event loop's core;
 * pinning only the event loop left the write thread beside the generators: both were slower.)
 * Several nodes get the same as one: any core. A throwaway PostgreSQL and NATS are not pinned
 * (started before the coordinator pins itself, they may run anywhere).
 * Otherwise nothing is pinned and the report says why.
 */
export interface CpuPlan {
  pinned: boolean;
  /**
   * Command prefix for the server: every core (`taskset -c 0-1`), since it would otherwise
   * inherit the coordinator's pinning. Empty when not pinned.
   */
  server: string[];
  generators: string[];
  serverCpus: string;
  loadCpus: string;
  note: string;
}

export function planCpus(wanted: boolean, nodes = 1): CpuPlan {
  const cores = availableParallelism();
  const all = cores > 1 ? `0-${cores - 1}` : '0';
  const none = (note: string): CpuPlan => ({
    pinned: false,
    server: [],
    generators: [],
    serverCpus: all,
    loadCpus: all,
    note,
  });
  if (!wanted) return none('not pinned (--no-pin)');
  if (cores < 2) return none('not pinned: one core');
  const taskset = spawnSync('taskset', ['-V'], { encoding: 'utf8' });
  if (taskset.error || taskset.status !== 0)
    return none('not pinned: taskset (util-linux) is not installed');
  const loadCpus = cores === 2 ? '1' : `1-${cores - 1}`;
  return {
    pinned: true,
    server: ['taskset', '-c', all],
    generators: ['taskset', '-c', loadCpus],
    serverCpus: all,
    loadCpus,
    note:
      (nodes > 1
        ? `${nodes} nodes on any core; `
        : `server on any core (its event loop mostly on core 0); `) +
      `coordinator and generators on core${cores === 2 ? '' : 's'} ${loadCpus} (taskset)`,
  };
}

/** Moves this process (every thread) onto the load cores. */
export function pinSelf(plan: CpuPlan): void {
  if (plan.pinned) spawnSync('taskset', ['-a', '-p', '-c', plan.loadCpus, String(process.pid)]);
}

/** The filesystem a path lives on (ext4, tmpfs, …): fsync costs differ by orders of magnitude. */
export function filesystemOf(path: string): string {
  try {
    const real = realpathSync(path);
    let best = { mount: '', type: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ');
      if (!mount || !type) continue;
      const inside = real === mount || real.startsWith(mount === '/' ? '/' : `${mount}/`);
      if (inside && mount.length >= best.mount.length) best = { mount, type };
    }
    return `${best.type} (${best.mount})`;
  } catch {
    return 'unknown';
  }
}

/** The commit measured, and whether the working tree differed from it. */
export function gitState(cwd: string): { commit: string; dirty: boolean } | undefined {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return undefined;
  // `:/packages`: the repository's, from whichever directory inside it `cwd` is.
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no', ':/packages'], {
    cwd,
    encoding: 'utf8',
  });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim().length > 0 };
}
