import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { startServer, type BenchServer } from './server-process.js';
import { findProcesses } from './stats/proc.js';

/** The NATS server that carries updates between the nodes. */
export interface BenchBus {
  url: string;
  /** nats-server's own pid (not its watchdog's), to measure its CPU; undefined if not found. */
  pid: number | undefined;
  /** `nats-server: v2.9.10`, for the report. */
  version: string;
}

/** The servers under test: node 0 first (seeding goes through it). */
export interface BenchNodes {
  servers: BenchServer[];
  bus: BenchBus | undefined;
  stop(log: (line: string) => void): Promise<void>;
}

export interface NodesOptions {
  count: number;
  /** Start NATS and pass `--bus` even to a single node (always, with several). */
  bus: boolean;
  cliPath: string;
  databaseUrl: string;
  taskset: string[];
  /** Node 0's CPU profile goes here (only node 0 is profiled). */
  cpuProfileDir?: string;
}

/**
 * One `tokki serve`, or `count` of them on one database with a throwaway nats-server between
 * them (dev-env's `startNats`, as the tests start theirs). They share one contact-hash key, as a
 * cluster's nodes must.
 */
export async function startNodes(options: NodesOptions): Promise<BenchNodes> {
  const contactHashKey = randomBytes(32).toString('hex');
  const nats =
    options.count > 1 || options.bus
      ? await (await import('@tokki/dev-env')).startNats()
      : undefined;
  const started = await Promise.allSettled(
    Array.from({ length: options.count }, (_, i) =>
      startServer({
        cliPath: options.cliPath,
        databaseUrl: options.databaseUrl,
        contactHashKey,
        taskset: options.taskset,
        ...(nats && { busUrl: nats.url }),
        ...(i === 0 && options.cpuProfileDir && { cpuProfileDir: options.cpuProfileDir }),
      }),
    ),
  );
  const servers = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((server) => server.stop()));
    await nats?.stop();
    throw failed.reason;
  }
  let bus: BenchBus | undefined;
  if (nats) {
    // The server itself, not the watchdog shell that started it with the same arguments.
    const [pid] = findProcesses(
      (argv) => argv[0]?.endsWith('nats-server') === true && argv.includes(String(nats.port)),
    );
    bus = { url: nats.url, pid, version: natsVersion(pid) };
  }
  return {
    servers,
    bus,
    stop: async (log) => {
      for (const [i, server] of servers.entries()) {
        const code = await server.stop();
        if (code !== 0 && code !== null) log(`node ${i} exited with ${code}:\n${server.output()}`);
      }
      await nats?.stop();
    },
  };
}

function natsVersion(pid: number | undefined): string {
  try {
    const binary = readlinkSync(`/proc/${pid}/exe`);
    return spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim() || 'nats-server';
  } catch {
    return 'nats-server';
  }
}
