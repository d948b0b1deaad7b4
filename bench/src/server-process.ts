import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { withTimeout } from './stats/limit.js';
import { sampleProcess, type ProcessSample } from './stats/proc.js';

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
  /** Command prefix such as `taskset -c 0-1`. */
  taskset: string[];
  /** Write a V8 CPU profile into this directory on exit. */
  cpuProfileDir?: string;
}

/**
 * `tokki serve` as a child process on a random loopback port, in local mode (test numbers sign
 * in with fixed codes) with warnings-only logs.
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
  ];
  const child = spawn(command!, args, {
    env: {
      ...process.env,
      TOKKI_LOG_LEVEL: process.env.TOKKI_LOG_LEVEL ?? 'warn',
      // The database is thrown away, so is its key: none is written to ./data.
      TOKKI_CONTACT_HASH_KEY: randomBytes(32).toString('hex'),
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
