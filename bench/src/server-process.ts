import { spawn } from 'node:child_process';
import { settingsToEnv } from '@tokki/server';
import { sleep, withTimeout } from './stats/limit.js';
import { sampleProcess, type ProcessSample } from './stats/proc.js';

const BENCH_RATE_LIMITS = {
  messagesPerUser: { max: 1_000_000_000, windowSeconds: 60 },
  groupsPerUser: { max: 1_000_000_000, windowSeconds: 3600 },
  memberAddsPerUser: { max: 1_000_000_000, windowSeconds: 86_400 },
};

/** The server under test, as the scenarios see it. */
export interface ServerHandle {
  url: string;
  /** Undefined when the server runs inside this process (tests): no RSS or CPU figures. */
  pid: number | undefined;
}

export interface BenchServer extends ServerHandle {
  pid: number;
  sample(): ProcessSample | undefined;
  /** The last lines it printed, for error messages. */
  output(): string;
  /** SIGTERM, and wait for a clean exit (which also writes a CPU profile). */
  stop(): Promise<number | null>;
}

export interface ServerOptions {
  /** The built `tokki` CLI (`packages/cli/dist/bin.js`). */
  cliPath: string;
  databaseUrl: string;
  /** `nats://…`: one node of several, sharing the database (`tokki serve --bus`). */
  busUrl?: string;
  /**
   * The contact-hash key, hex. Nodes of one database must share it; the database is thrown away,
   * so is the key, and none is written to ./data.
   */
  contactHashKey: string;
  /** Command prefix such as `taskset -c 0-1`. */
  taskset: string[];
  /** Write a V8 CPU profile into this directory on exit. */
  cpuProfileDir?: string;
}

/**
 * `tokki serve` as a child process on a random loopback port, in local mode (test numbers sign
 * in with fixed codes) with warnings-only logs; resolves once it is ready (`/readyz`: database
 * and bus answer).
 */
export async function startServer(options: ServerOptions): Promise<BenchServer> {
  const nodeArgs = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
    : [];
  const serve = ['serve', '--host', '127.0.0.1', '--port', '0', '--mode', 'local'];
  const [command, ...args] = [
    ...options.taskset,
    process.execPath,
    ...nodeArgs,
    options.cliPath,
    ...serve,
    '--db',
    options.databaseUrl,
    ...(options.busUrl ? ['--bus', options.busUrl] : []),
  ];
  const child = spawn(command!, args, {
    env: {
      ...process.env,
      TOKKI_LOG_LEVEL: process.env.TOKKI_LOG_LEVEL ?? 'warn',
      TOKKI_CONTACT_HASH_KEY: options.contactHashKey,
      // The bench's users are strangers who build groups, and one of them sends thousands of
      // messages a minute: far past what a person does, which the limits are there to stop. The
      // limits still run on every send, only with room for the load.
      ...settingsToEnv({ groupAdds: 'anyone', rateLimits: BENCH_RATE_LIMITS }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      const look = () => {
        const match = /listening on (http:\/\/[^\s:]+:\d+)/.exec(output);
        if (match) resolve(match[1]!.replace('localhost', '127.0.0.1'));
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      child.once('error', reject);
      void exited.then((code) => reject(new Error(`tokki serve exited with ${code}:\n${output}`)));
    }),
    60_000,
    'starting tokki serve',
  );
  try {
    await untilReady(url, exited, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    sample: () => sampleProcess(pid),
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

/** Polls `/readyz` until it answers 200; rejects if the server exits first, or after 30 s. */
async function untilReady(
  url: string,
  exited: Promise<number | null>,
  output: () => string,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (exitCode !== undefined)
      throw new Error(`tokki serve exited with ${exitCode}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`${url}/readyz: not ready in 30 s:\n${output()}`);
    await sleep(100);
  }
}
