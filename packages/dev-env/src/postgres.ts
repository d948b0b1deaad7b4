import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';
import { PortTakenError, startWatchedServer } from './watched-server.js';

/** The databases every store test runs on. */
export type TestDialect = 'sqlite' | 'postgres';

export interface RunningPostgres {
  /** `postgres://` URL of the maintenance database, as the superuser. */
  url: string;
  /** Shuts the server down and deletes its data. Safe to call twice. */
  stop(): Promise<void>;
}

export interface TestDatabase {
  /** `postgres://…/tokki_test_<random>` or `sqlite:/tmp/…/tokki.db`. */
  url: string;
  /** Drops the database (closing its connections) or deletes the SQLite files. */
  drop(): Promise<void>;
}

const HOW_TO_GET_POSTGRES =
  "install Debian's postgresql package (apt-get install postgresql), " +
  'or set TOKKI_PG_BIN (a directory with initdb and postgres) or TOKKI_TEST_POSTGRES_URL';

/** Where PostgreSQL can come from: an existing server, or binaries we can start. */
export function postgresAvailability(): { available: boolean; reason?: string } {
  if (process.env.TOKKI_TEST_POSTGRES_URL) return { available: true };
  const bin = findPostgresBin();
  return 'dir' in bin ? { available: true } : { available: false, reason: bin.reason };
}

/**
 * Whether tests should run their PostgreSQL variants. Under CI a missing PostgreSQL is an
 * error, never a silent skip: a green CI run must mean both dialects were tested.
 */
export function shouldTestPostgres(): boolean {
  const { available, reason } = postgresAvailability();
  if (!available && process.env.CI === 'true') {
    throw new Error(`PostgreSQL is required when CI=true, but ${reason}: ${HOW_TO_GET_POSTGRES}.`);
  }
  return available;
}

/** The one line printed (once, by the global setup) when the PostgreSQL variants are skipped. */
export function postgresSkipMessage(): string {
  return `PostgreSQL suites skipped (${postgresAvailability().reason}): ${HOW_TO_GET_POSTGRES}.`;
}

/** Dialects every store test loops over; 'postgres' only when a server can be had. */
export const testDialects: TestDialect[] = shouldTestPostgres()
  ? ['sqlite', 'postgres']
  : ['sqlite'];

/**
 * Starts a throwaway PostgreSQL on a random loopback port, or reuses the server named by
 * TOKKI_TEST_POSTGRES_URL (then `stop()` does nothing). Pass `{ fresh: true }` to always
 * start a new one.
 */
export async function startPostgres(options: { fresh?: boolean } = {}): Promise<RunningPostgres> {
  const existing = process.env.TOKKI_TEST_POSTGRES_URL;
  if (existing && !options.fresh) return { url: existing, stop: async () => {} };
  const bin = findPostgresBin();
  if (!('dir' in bin)) throw new Error(`Cannot start PostgreSQL: ${bin.reason}.`);
  // Another process may grab the free port before postgres binds it; then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(bin.dir);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

/**
 * Creates an empty database for one test suite: a fresh database on the shared test server,
 * or a fresh SQLite file.
 */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'tokki-sqlite-'));
    return {
      url: `sqlite:${join(dir, 'tokki.db')}`,
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const serverUrl = await sharedServerUrl();
  const name = `tokki_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

let ownServer: Promise<RunningPostgres> | undefined;

async function sharedServerUrl(): Promise<string> {
  const url = process.env.TOKKI_TEST_POSTGRES_URL;
  if (url) return url;
  // No global setup ran (a script, another Vitest config): one server for this process,
  // which the watchdog removes when the process exits.
  ownServer ??= startPostgres();
  return (await ownServer).url;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The directory with the initdb and postgres that startPostgres would use, if any. */
export function postgresBinDir(): string | undefined {
  const bin = findPostgresBin();
  return 'dir' in bin ? bin.dir : undefined;
}

/** The directory holding initdb and postgres: TOKKI_PG_BIN, else Debian's newest. */
function findPostgresBin(): { dir: string } | { reason: string } {
  const hasBinaries = (dir: string) =>
    existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const fromEnv = process.env.TOKKI_PG_BIN;
  if (fromEnv) {
    return hasBinaries(fromEnv)
      ? { dir: fromEnv }
      : { reason: `TOKKI_PG_BIN=${fromEnv} has no initdb and postgres` };
  }
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    // Not installed.
  }
  // Newest first; a version with only the client package installed has no initdb.
  const dir = versions
    .sort((a, b) => parseFloat(b) - parseFloat(a))
    .map((version) => `/usr/lib/postgresql/${version}/bin`)
    .find(hasBinaries);
  return dir ? { dir } : { reason: 'no initdb and postgres under /usr/lib/postgresql/*/bin' };
}

async function launch(binDir: string): Promise<RunningPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'tokki-pg-'));
  const dataDir = join(dir, 'data');
  // PostgreSQL refuses to run as root, so root hands the files and processes to a system user.
  const owner = process.getuid?.() === 0 ? serverUser() : undefined;
  const asOwner = owner
    ? ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--init-groups', '--']
    : [];
  try {
    if (owner) await chown(dir, owner.uid, owner.gid);
    const initdb = [join(binDir, 'initdb'), '-D', dataDir, '-U', 'postgres', '-A', 'trust'];
    // UTF-8 with Unicode character classes for Korean and Japanese text; --no-sync only
    // skips flushing the freshly created files, the server itself keeps fsync on.
    initdb.push('-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions');
    const [command = '', ...args] = [...asOwner, ...initdb];
    await promisify(execFile)(command, args, { cwd: dir });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((error as { stderr?: unknown }).stderr ?? error)}`);
  }

  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: '200',
    // Durability tests kill servers and expect acknowledged commits to survive.
    fsync: 'on',
    // Parallel query needs large /dev/shm segments, which containers often lack.
    max_parallel_workers_per_gather: '0',
    timezone: 'UTC',
  };
  const flags = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const server = startWatchedServer({
    command: [...asOwner, join(binDir, 'postgres'), '-D', dataDir, '-p', String(port), ...flags],
    name: 'tokki-pg-watchdog',
    // Fast shutdown: roll back what is open, write a checkpoint, exit.
    gracefulSignal: 'INT',
    removeAfterExit: dir,
    cwd: dir,
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await withClient(url, (client) => client.query('SELECT 1'));
      return { url, stop: server.stop };
    } catch {
      // Not accepting connections yet.
    }
    if (!server.running() || Date.now() > deadline) {
      await server.stop();
      const log = server.log();
      if (/could not bind|already in use/i.test(log)) throw new PortTakenError(log);
      throw new Error(`PostgreSQL did not start on port ${port}:\n${log}`);
    }
    await sleep(20);
  }
}

/** Debian's `postgres` user, else a `tokki-pg` system user created for the purpose. */
function serverUser(): { uid: number; gid: number } {
  const lookup = (name: string) => {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find((fields) => fields[0] === name);
    return entry ? { uid: Number(entry[2]), gid: Number(entry[3]) } : undefined;
  };
  const existing = lookup('postgres') ?? lookup('tokki-pg');
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'tokki-pg'], {
      stdio: 'pipe',
    });
  } catch (error) {
    // A parallel test worker may have created it a moment ago.
    if (!lookup('tokki-pg')) throw error;
  }
  const created = lookup('tokki-pg');
  if (!created) throw new Error('useradd did not create the tokki-pg user');
  return created;
}
