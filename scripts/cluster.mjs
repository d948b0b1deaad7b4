#!/usr/bin/env node
// @ts-check
/**
 * `npm run cluster`: three Tokki nodes on one PostgreSQL and one NATS, for trying multi-node mode
 * on one machine (issue 7). Not for production: see docs/scaling.md.
 *
 * PostgreSQL and NATS come from Debian's `postgresql` and `nats-server` packages, unless
 * `--db` / `TOKKI_CLUSTER_DB` and `--bus` / `TOKKI_CLUSTER_BUS` name running ones. The private
 * PostgreSQL keeps its data in `<data>/pg` across runs (unlike the tests' throwaway server): the
 * accounts and chats you make are there next time. Delete `<data>` to start over. The nodes share
 * `<data>` too, for the local-mode contact-hash key and uploaded files.
 *
 * Everything runs in its own process group, so that Ctrl-C reaches only this script, which stops
 * the nodes first (they drain their connections), then NATS, then PostgreSQL.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';

const REPO = new URL('..', import.meta.url).pathname;
const CLI = join(REPO, 'packages/cli/dist/bin.js');
const NATS_SERVER = process.env.TOKKI_NATS_SERVER ?? '/usr/sbin/nats-server'; // as in the tests
const INSTALL = 'apt-get install postgresql nats-server';
const READY_TIMEOUT_MS = 60_000;

const USAGE = `Usage: npm run cluster [-- options]

Starts PostgreSQL and NATS (Debian's packages) and three Tokki nodes that share them.

  --ports <list>   ports of the nodes (default: 8081,8082,8083)
  --data <dir>     PostgreSQL's data and the nodes' files, kept across runs (default: data/cluster)
  --db <url>       use this PostgreSQL instead (or TOKKI_CLUSTER_DB); the database must exist
  --bus <url>      use this NATS instead (or TOKKI_CLUSTER_BUS), e.g. nats://127.0.0.1:4222
  -h, --help       this text
`;

/** @param {string} line */
const say = (line) => process.stdout.write(`${line}\n`);

/**
 * A child process in its own process group, its output forwarded line by line under a prefix.
 * @param {string} name
 * @param {string[]} command
 * @param {import('node:child_process').SpawnOptions} [options]
 */
function startChild(name, command, options = {}) {
  const [file = '', ...args] = command;
  const child = spawn(file, args, {
    ...options,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => say(`[${name}] ${line}`));
  }
  /** @type {Promise<string>} how it ended, e.g. "code 1" or "signal SIGKILL" */
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
  });
  let stopping = false;
  return {
    name,
    exited,
    get stopping() {
      return stopping;
    },
    /** Sends the signal, and SIGKILL if it is still there after `graceMs`. */
    async stop(signal = /** @type {NodeJS.Signals} */ ('SIGTERM'), graceMs = 20_000) {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** @typedef {ReturnType<typeof startChild>} Child */

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** @param {number} port @returns {Promise<boolean>} */
function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** @param {number} port @returns {Promise<boolean>} */
function accepts(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls `check` until it is true; throws if `child` exits first or time runs out.
 * @param {string} what @param {() => Promise<boolean>} check @param {Child} [child]
 */
async function waitFor(what, check, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exit;
  void child?.exited.then((how) => (exit = how));
  while (!(await check().catch(() => false))) {
    if (exit) throw new Error(`${what} exited (${exit}) before it was ready`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready within a minute`);
    await sleep(200);
  }
}

/** Debian's newest PostgreSQL with a server (TOKKI_PG_BIN overrides, as in the tests). */
function postgresBin() {
  const has = (/** @type {string} */ dir) =>
    existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  if (process.env.TOKKI_PG_BIN)
    return has(process.env.TOKKI_PG_BIN) ? process.env.TOKKI_PG_BIN : undefined;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  return versions
    .sort((a, b) => parseFloat(b) - parseFloat(a))
    .map((version) => `/usr/lib/postgresql/${version}/bin`)
    .find(has);
}

/** PostgreSQL refuses to run as root: root runs it as Debian's `postgres` user. */
function postgresOwner() {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (!entry) throw new Error(`running as root, but there is no postgres user: ${INSTALL}`);
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * The private PostgreSQL in `<data>/pg`: created on the first run, then started on a free port.
 * @param {string} bin @param {string} dir
 * @returns {Promise<{ url: string, child: Child }>}
 */
async function startPostgres(bin, dir) {
  const owner = postgresOwner();
  const asOwner = owner
    ? ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--init-groups', '--']
    : [];
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    say(`[cluster] creating a PostgreSQL database cluster in ${shortPath(dir)}`);
    // Only the last directory is private: the server's user must be able to reach it.
    await mkdir(dirname(dir), { recursive: true });
    await mkdir(dir, { mode: 0o700 });
    if (owner) await chown(dir, owner.uid, owner.gid);
    const [file = '', ...args] = [
      ...asOwner,
      ...[join(bin, 'initdb'), '-D', dir, '-U', 'postgres', '-A', 'trust'],
      ...['-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'],
    ];
    execFileSync(file, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // An earlier run that was killed leaves its server running (pid on postmaster.pid's first line).
  const lock = join(dir, 'postmaster.pid');
  const stale = existsSync(lock) ? Number(readFileSync(lock, 'utf8').split('\n')[0]) : 0;
  if (stale > 0 && existsSync(`/proc/${stale}`)) {
    say(`[cluster] stopping the PostgreSQL an earlier run left running (pid ${stale})`);
    process.kill(stale, 'SIGINT');
    while (existsSync(`/proc/${stale}`)) await sleep(100);
  }
  const free = await freePort();
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', timezone: 'UTC' };
  const child = startChild('postgres', [
    ...asOwner,
    ...[join(bin, 'postgres'), '-D', dir, '-p', String(free)],
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ]);
  const url = `postgres://postgres@127.0.0.1:${free}`;
  await waitFor('PostgreSQL', () => query(`${url}/postgres`, 'select 1').then(() => true), child);
  return { url, child };
}

/** @param {string} url @param {string} sql @param {unknown[]} [values] */
async function query(url, sql, values = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** @param {string} serverUrl @returns {Promise<string>} the `tokki` database's URL */
async function ensureDatabase(serverUrl) {
  const admin = `${serverUrl}/postgres`;
  const found = await query(admin, 'select 1 from pg_database where datname = $1', ['tokki']);
  if (found.length === 0) await query(admin, 'create database tokki');
  return `${serverUrl}/tokki`;
}

/** @param {string} path */
const shortPath = (path) => (path.startsWith(process.cwd()) ? relative(process.cwd(), path) : path);

/** @param {string} url */
const redact = (url) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function main() {
  const { values } = parseArgs({
    options: {
      ports: { type: 'string', default: '8081,8082,8083' },
      data: { type: 'string', default: 'data/cluster' },
      db: { type: 'string', default: process.env.TOKKI_CLUSTER_DB },
      bus: { type: 'string', default: process.env.TOKKI_CLUSTER_BUS },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return say(USAGE);
  const ports = values.ports.split(',').map(Number);
  if (!ports.every((port) => Number.isInteger(port) && port > 0 && port < 65536))
    throw new Error(`--ports takes ports separated by commas, not "${values.ports}"`);
  if (!existsSync(CLI)) throw new Error('Tokki is not built: run npm run build first');
  const pgBin = values.db ? undefined : postgresBin();
  const missing = [
    ...(!values.db && !pgBin ? ['postgresql'] : []),
    ...(!values.bus && !existsSync(NATS_SERVER) ? ['nats-server'] : []),
  ];
  if (missing.length) {
    console.error(`cluster: needs ${missing.join(' and ')}: apt-get install ${missing.join(' ')}`);
    process.exit(1);
  }
  for (const port of ports)
    if (!(await portIsFree(port)))
      throw new Error(`port ${port} is in use (a node left over? choose others with --ports)`);

  const dataDir = resolve(values.data);
  /** @type {Child[]} */
  const infra = [];
  /** @type {Child[]} */
  const nodes = [];
  let shuttingDown = false;
  /** @param {number} code */
  const shutdown = async (code) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`[cluster] stopping the nodes${infra.length ? ', then NATS and PostgreSQL' : ''}…`);
    await Promise.all(nodes.map((node) => node.stop('SIGTERM')));
    // Last started, first stopped: NATS, then PostgreSQL (SIGINT: its fast shutdown).
    for (const child of infra.reverse())
      await child.stop(child.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    say('[cluster] stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // A database or bus that goes away takes the cluster with it; a node may go (that is the point).
  const watchInfra = (/** @type {Child} */ child) =>
    void child.exited.then((how) => {
      if (child.stopping) return;
      say(`[cluster] ${child.name} exited unexpectedly (${how}): stopping the cluster`);
      void shutdown(1);
    });

  try {
    let db = values.db;
    if (!db) {
      const postgres = await startPostgres(/** @type {string} */ (pgBin), join(dataDir, 'pg'));
      infra.push(postgres.child);
      watchInfra(postgres.child);
      db = await ensureDatabase(postgres.url);
    }
    let bus = values.bus;
    if (!bus) {
      const port = await freePort();
      const nats = startChild('nats', [NATS_SERVER, '--addr', '127.0.0.1', '--port', String(port)]);
      infra.push(nats);
      watchInfra(nats);
      await waitFor('NATS', () => accepts(port), nats);
      bus = `nats://127.0.0.1:${port}`;
    }

    ports.forEach((port, i) => {
      const serve = ['serve', '--port', String(port), '--db', db, '--bus', bus, '--data', dataDir];
      nodes.push(startChild(`node${i + 1}`, [process.execPath, CLI, ...serve]));
    });
    await Promise.all(
      nodes.map((node, i) =>
        waitFor(
          node.name,
          async () => (await fetch(`http://127.0.0.1:${ports[i]}/readyz`)).ok,
          node,
        ),
      ),
    );
    // A node that dies is reported; the others keep serving, and its devices reconnect to them.
    let serving = nodes.length;
    for (const node of nodes) {
      void node.exited.then((how) => {
        if (node.stopping) return;
        serving -= 1;
        say(
          `[cluster] ${node.name} exited unexpectedly (${how}); ${serving} node(s) still serving`,
        );
        if (serving === 0) void shutdown(1);
      });
    }

    const urls = ports.map((port) => `http://localhost:${port}`);
    say(
      [
        '',
        `Tokki cluster ready: ${nodes.length} nodes sharing one PostgreSQL and one NATS.`,
        '',
        ...nodes.map((node, i) => `  ${node.name}  ${urls[i]}`),
        '',
        'Each node serves the web app, and a device may use any node: sign in on one, chat with',
        'someone signed in on another. Sign-in codes are printed in the log (local mode).',
        `CLI:      npx tokki login --server ${urls[1] ?? urls[0]} --phone +821012345678`,
        `Database: ${redact(db)}${values.db ? '' : ` (kept in ${shortPath(dataDir)})`}`,
        `Bus:      ${bus}`,
        `Stop:     Ctrl-C (stops the nodes${infra.length ? ', then what this script started' : ''})`,
        '',
      ].join('\n'),
    );
  } catch (error) {
    console.error(`cluster: ${/** @type {Error} */ (error).message}`);
    await shutdown(1);
  }
}

main().catch((error) => {
  console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
