import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { findProgram } from './find-program.js';
import { freePort } from './free-port.js';
import { PortTakenError, startWatchedServer } from './watched-server.js';

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

const findNatsServer = () =>
  findProgram('nats-server', 'TOKKI_NATS_SERVER', ['/usr/sbin', '/usr/bin']);

interface NatsProcess {
  port: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

async function launch(binary: string, port: number): Promise<NatsProcess> {
  const server = startWatchedServer({
    command: [binary, '-a', '127.0.0.1', '-p', String(port)],
    name: 'tokki-nats-watchdog',
    gracefulSignal: 'TERM',
  });
  const deadline = Date.now() + 10_000;
  let ready = false;
  for (;;) {
    // Only the server that bound the port says so; a client could reach some other one.
    ready ||= server.log().includes('Server is ready');
    if (ready && (await greets(port))) return { port, stop: server.stop, kill: server.kill };
    if (!server.running() || Date.now() > deadline) {
      await server.kill();
      const log = server.log();
      if (/address already in use/i.test(log)) throw new PortTakenError(log);
      const code = server.exitCode();
      const status = code === null ? '' : ` (it exited with ${code})`;
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
