import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { findProgram } from './find-program.js';
import { freePort } from './free-port.js';
import { startWatchedServer } from './watched-server.js';

/** The Caddyfile operators install: tests run this very file, with its variables set. */
export const DEPLOY_CADDYFILE = fileURLToPath(
  new URL('../../../deploy/Caddyfile', import.meta.url),
);

export interface RunningCaddy {
  /** `https://localhost:<port>`: TLS from Caddy's internal CA. */
  url: string;
  /** The root certificate of that CA (PEM), for clients' `ca` option. */
  ca: Buffer;
  stop(): Promise<void>;
}

const HOW_TO_GET_CADDY =
  "install Debian's caddy package (apt-get install caddy), or set TOKKI_CADDY to a caddy binary";

/**
 * Whether tests should run their Caddy suites. Under CI a missing caddy is an error, never a
 * silent skip: a green CI run must mean the shipped proxy configuration was tested.
 */
export function shouldTestCaddy(): boolean {
  const binary = findCaddy();
  if ('path' in binary) return true;
  if (process.env.CI === 'true') {
    throw new Error(`caddy is required when CI=true, but ${binary.reason}: ${HOW_TO_GET_CADDY}.`);
  }
  return false;
}

/** The one line a test file prints when its Caddy suite is skipped. */
export function caddySkipMessage(): string {
  const binary = findCaddy();
  return 'path' in binary ? '' : `Caddy suites skipped (${binary.reason}): ${HOW_TO_GET_CADDY}.`;
}

/**
 * Starts Caddy with deploy/Caddyfile in front of `nodes` (`host:port` each), its own CA
 * (`TOKKI_TLS=internal`) and its data, config and ports private to this run, and waits until it
 * answers `/readyz` over TLS.
 */
export async function startCaddy(options: { nodes: string[] }): Promise<RunningCaddy> {
  const binary = findCaddy();
  if (!('path' in binary)) throw new Error(`Cannot start Caddy: ${binary.reason}.`);
  const home = mkdtempSync(join(tmpdir(), 'tokki-caddy-'));
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const server = startWatchedServer({
    command: [binary.path, 'run', '--config', DEPLOY_CADDYFILE, '--adapter', 'caddyfile'],
    name: 'tokki-caddy-watchdog',
    gracefulSignal: 'TERM',
    removeAfterExit: home,
    cwd: home,
    env: {
      ...process.env,
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CONFIG_HOME: join(home, 'config'),
      TOKKI_SITE: 'localhost',
      TOKKI_NODES: options.nodes.join(' '),
      TOKKI_TLS: 'internal',
      TOKKI_HTTP_PORT: String(httpPort),
      TOKKI_HTTPS_PORT: String(httpsPort),
      TOKKI_CADDY_ADMIN: 'off',
    },
  });
  const url = `https://localhost:${httpsPort}`;
  const rootCertificate = join(home, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (existsSync(rootCertificate)) {
      const ca = readFileSync(rootCertificate);
      if ((await statusOf(`${url}/readyz`, ca)) === 200) return { url, ca, stop: server.stop };
    }
    if (!server.running() || Date.now() > deadline) {
      await server.kill();
      throw new Error(`Caddy did not become ready at ${url}:\n${server.log()}`);
    }
    await sleep(100);
  }
}

function statusOf(url: string, ca: Buffer): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { ca, timeout: 5_000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const findCaddy = () => findProgram('caddy', 'TOKKI_CADDY', ['/usr/bin']);
