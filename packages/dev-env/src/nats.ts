import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

export interface RunningNats {
  /** `nats://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops the server gracefully (SIGTERM) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /** Kills the server abruptly (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, after stop() or kill(). */
  restart(): Promise<void>;
}

const HOW_TO_GET_NATS =
  "install Debian's nats-server package (apt-get install nats-server), " +
  'or set TOKKI_NATS_SERVER to a nats-server binary';

/** Whether a nats-server binary can be found to start. */
export function natsAvailability(): { available: boolean; reason?: string } {
  const binary = findNatsServer();
  return 'path' in binary ? { available: true } : { available: false, reason: binary.reason };
}

/**
 * Whether tests should run their NATS suites. Under CI a missing nats-server is an error,
 * never a silent skip: a green CI run must mean the multi-node paths were tested.
 */
export function shouldTestNats(): boolean {
  const { available, reason } = natsAvailability();
  if (!available && process.env.CI === 'true') {
    throw new Error(`nats-server is required when CI=true, but ${reason}: ${HOW_TO_GET_NATS}.`);
  }
  return available;
}

/** The one line printed (once, by the global setup) when the NATS suites are skipped. */
export function natsSkipMessage(): string {
  return `NATS suites skipped (${natsAvailability().reason}): ${HOW_TO_GET_NATS}.`;
}

/**
 * Starts a throwaway nats-server (no JetStream, no cluster) on a random loopback port and
 * waits until it greets clients. Each test starts its own, so it can stop, kill and restart it.
 */
export async function startNats(): Promise<RunningNats> {
  const binary = findNatsServer();
  if (!('path' in binary)) throw new Error(`Cannot start NATS: ${binary.reason}.`);
  // Another process may grab the free port before nats-server binds it; then try another.
  let server: NatsProcess;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await launch(binary.path, await freePort());
      break;
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
  const port = server.port;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop: () => server.stop(),
    kill: () => server.kill(),
    restart: async () => {
      await server.stop();
      // The old socket may linger for a moment, or a stray client may hold the port briefly.
      const deadline = Date.now() + 5_000;
      for (;;) {
        try {
          server = await launch(binary.path, port);
          return;
        } catch (error) {
          if (!(error instanceof PortTakenError) || Date.now() > deadline) throw error;
        }
        await sleep(100);
      }
    },
  };
}

/** The nats-server to run: TOKKI_NATS_SERVER, else one on PATH, in /usr/sbin or /usr/bin. */
function findNatsServer(): { path: string } | { reason: string } {
  const isExecutable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  const fromEnv = process.env.TOKKI_NATS_SERVER;
  if (fromEnv) {
    return isExecutable(fromEnv)
      ? { path: fromEnv }
      : { reason: `TOKKI_NATS_SERVER=${fromEnv} is not an executable file` };
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin'];
  const path = dirs
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'nats-server'))
    .find(isExecutable);
  return path ? { path } : { reason: 'no nats-server on PATH, in /usr/sbin or in /usr/bin' };
}

class PortTakenError extends Error {}

interface NatsProcess {
  port: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

// Owns nats-server. It runs in its own session, so a Ctrl-C reaches only us, and reads one
// line from stdin: "kill" from kill() gets a SIGKILL; anything else, or the EOF that comes
// from stop() or from the kernel when the test process dies in any way (even kill -9), gets
// a graceful SIGTERM. Either way no server is left behind.
const WATCHDOG = `
"$@" &
server=$!
exec 3<&0
(read -r how <&3; if [ "$how" = kill ]; then kill -KILL "$server"; else kill -TERM "$server"; fi 2>/dev/null) &
watcher=$!
wait "$server"; status=$?
kill "$watcher" 2>/dev/null
exit "$status"
`;

async function launch(binary: string, port: number): Promise<NatsProcess> {
  const server = [binary, '-a', '127.0.0.1', '-p', String(port)];
  const child = spawn('bash', ['-c', WATCHDOG, 'tokki-nats-watchdog', ...server], {
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  // Keep only the end of the log for error messages, but keep reading: a full pipe would
  // block the server.
  let log = '';
  let ready = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    // Only the server that bound the port says so; a client could reach some other one.
    ready ||= log.includes('Server is ready');
    log = log.slice(-4_000);
  });
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
  const stop = () => shutDown('stop');
  const kill = () => shutDown('kill');

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (ready && (await greets(port))) return { port, stop, kill };
    if (!running || Date.now() > deadline) {
      await kill();
      if (/address already in use/i.test(log)) throw new PortTakenError(log);
      const status = child.exitCode === null ? '' : ` (it exited with ${child.exitCode})`;
      throw new Error(`nats-server did not start on port ${port}${status}:\n${log}`);
    }
    await sleep(20);
  }
}

/** Whether a client connecting to the port receives the INFO line a NATS server sends first. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (greeted: boolean) => {
      socket.destroy();
      resolve(greeted);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes('\r\n')) finish(received.startsWith('INFO {'));
    });
  });
}
