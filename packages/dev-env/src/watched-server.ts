import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/** A throwaway server process (PostgreSQL, NATS) that cannot outlive the test process. */
export interface WatchedServer {
  /** The end of what it wrote to stderr, for error messages. */
  log(): string;
  running(): boolean;
  exitCode(): number | null;
  /** Stops it with its graceful signal and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL and waits for it to exit. */
  kill(): Promise<void>;
}

export interface WatchedServerOptions {
  /** The server's command line. */
  command: string[];
  /** Shown in `ps` for the watchdog shell, e.g. `tokki-nats-watchdog`. */
  name: string;
  /** The signal stop() and a dead test process send: what the server treats as "shut down". */
  gracefulSignal: 'TERM' | 'INT';
  /** A directory the watchdog removes once the server has exited. */
  removeAfterExit?: string;
  cwd?: string;
  /** Its environment; this process's when not given. */
  env?: NodeJS.ProcessEnv;
}

/** A server must say why it failed within this much of the end of its log. */
const LOG_TAIL = 4_000;

// Owns the server. It runs in its own session, so a Ctrl-C reaches only us, and reads one
// line from stdin: "kill" from kill() gets a SIGKILL; anything else, or the EOF that comes
// from stop() or from the kernel when the test process dies in any way (even kill -9), gets
// the graceful signal. Either way no server, and no directory to remove, is left behind.
const WATCHDOG = `
signal=$1; dir=$2; shift 2
"$@" &
server=$!
exec 3<&0
(read -r how <&3; if [ "$how" = kill ]; then kill -KILL "$server"; else kill "-$signal" "$server"; fi 2>/dev/null) &
watcher=$!
wait "$server"; status=$?
kill "$watcher" 2>/dev/null
[ -z "$dir" ] || rm -rf -- "$dir"
exit "$status"
`;

export function startWatchedServer(options: WatchedServerOptions): WatchedServer {
  const { name, gracefulSignal, removeAfterExit = '', command } = options;
  const child = spawn('bash', ['-c', WATCHDOG, name, gracefulSignal, removeAfterExit, ...command], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  // Keep reading even though only the end is kept: a full pipe would block the server.
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-LOG_TAIL)));
  let running = true;
  const exited = new Promise<void>((resolve) => {
    const done = (error?: Error) => {
      if (error) log += String(error);
      running = false;
      resolve();
    };
    child.once('close', () => done()).once('error', done);
  });
  child.stdin?.on('error', () => {}); // EPIPE if the server is already gone
  // A forgotten stop() must not keep the process alive; the watchdog cleans up after it.
  const pipes = [child.stdin, child.stderr] as unknown as Socket[];
  child.unref();
  for (const pipe of pipes) pipe.unref();

  let signalled = false;
  const shutDown = async (how: 'stop' | 'kill') => {
    if (running && !signalled) {
      signalled = true;
      // Keep the process alive until the server is really gone: 'close' also needs the
      // pipes' EOF, which an unref'd pipe may never get to read.
      child.ref();
      for (const pipe of pipes) pipe.ref();
      child.stdin?.end(`${how}\n`);
    }
    await exited;
  };
  return {
    log: () => log,
    running: () => running,
    exitCode: () => child.exitCode,
    stop: () => shutDown('stop'),
    kill: () => shutDown('kill'),
  };
}

/** The port was taken between choosing it and the server binding it: try another. */
export class PortTakenError extends Error {}
