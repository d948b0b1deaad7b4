import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTestDatabase,
  postgresAvailability,
  postgresBinDir,
  shouldTestPostgres,
  startPostgres,
  testDialects,
} from './postgres.js';

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

async function setting(url: string, name: string): Promise<string> {
  const result = await query(url, 'SELECT current_setting($1) AS value', [name]);
  return String(result.rows[0].value);
}

async function waitFor(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await condition()); await sleep(50)) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
  }
}

const refusesConnections = (url: string) =>
  query(url, 'SELECT 1').then(
    () => false,
    () => true,
  );

describe.skipIf(!testDialects.includes('postgres'))('createTestDatabase on PostgreSQL', () => {
  it('gets the shared server from the global setup', () => {
    expect(process.env.TOKKI_TEST_POSTGRES_URL).toMatch(/^postgres:\/\//);
  });

  it('gives a real PostgreSQL database that stores and returns rows', async () => {
    const db = await createTestDatabase('postgres');
    try {
      expect(db.url).toMatch(/^postgres:\/\/.+\/tokki_test_[0-9a-f]{12}$/);
      expect((await query(db.url, 'SELECT version() AS v')).rows[0].v).toMatch(/^PostgreSQL \d+/);
      await query(db.url, 'CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
      await query(db.url, 'INSERT INTO notes (body) VALUES ($1), ($2)', [
        '안녕 토끼',
        'こんにちは',
      ]);
      const { rows } = await query(db.url, 'SELECT body FROM notes ORDER BY id');
      expect(rows.map((row) => row.body)).toEqual(['안녕 토끼', 'こんにちは']);
    } finally {
      await db.drop();
    }
  });

  it('keeps two test databases apart', async () => {
    const [a, b] = await Promise.all([
      createTestDatabase('postgres'),
      createTestDatabase('postgres'),
    ]);
    try {
      expect(a.url).not.toBe(b.url);
      await query(a.url, 'CREATE TABLE only_in_a (x int)');
      await query(a.url, 'INSERT INTO only_in_a VALUES (1)');
      const found = await query(b.url, "SELECT to_regclass('only_in_a') AS t");
      expect(found.rows[0].t).toBeNull();
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it('drops the database even while a client is still connected', async () => {
    const db = await createTestDatabase('postgres');
    const name = new URL(db.url).pathname.slice(1);
    const lingering = new pg.Client({ connectionString: db.url });
    lingering.on('error', () => {}); // it is about to be disconnected
    await lingering.connect();
    await db.drop();
    await expect(lingering.query('SELECT 1')).rejects.toThrow();
    const adminUrl = process.env.TOKKI_TEST_POSTGRES_URL ?? '';
    const left = await query(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    expect(left.rowCount).toBe(0);
    await expect(query(db.url, 'SELECT 1')).rejects.toThrow(/does not exist/);
  });
});

describe('createTestDatabase on SQLite', () => {
  it('gives a fresh file in its own directory, removed by drop', async () => {
    const db = await createTestDatabase('sqlite');
    expect(db.url).toMatch(/^sqlite:\/.+\/tokki\.db$/);
    const dir = dirname(db.url.slice('sqlite:'.length));
    expect(existsSync(dir)).toBe(true);
    await db.drop();
    expect(existsSync(dir)).toBe(false);
  });
});

describe.skipIf(postgresBinDir() === undefined)('startPostgres', () => {
  it('starts its own server on loopback with test settings and removes it on stop', async () => {
    const server = await startPostgres({ fresh: true });
    expect(server.url).not.toBe(process.env.TOKKI_TEST_POSTGRES_URL);
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(await setting(server.url, 'fsync')).toBe('on');
    expect(await setting(server.url, 'max_connections')).toBe('200');
    expect(await setting(server.url, 'server_encoding')).toBe('UTF8');
    const dataDir = await setting(server.url, 'data_directory');
    // Root cannot run PostgreSQL; the files belong to the system user that does.
    if (process.getuid?.() === 0) expect(statSync(dataDir).uid).not.toBe(0);
    await server.stop();
    expect(existsSync(dirname(dataDir))).toBe(false);
    expect(await refusesConnections(server.url)).toBe(true);
    await server.stop(); // twice is harmless
  });

  it('leaves no server behind when the test process is killed', async () => {
    // A child process starts PostgreSQL from this source file and is then kill -9ed.
    const script = `
      import { runnerImport } from 'vite';
      const { module } = await runnerImport(process.env.POSTGRES_TS);
      const server = await module.startPostgres({ fresh: true });
      console.log(server.url);
      setInterval(() => {}, 60_000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      env: { ...process.env, POSTGRES_TS: fileURLToPath(new URL('postgres.ts', import.meta.url)) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', () => reject(new Error('child exited before starting PostgreSQL')));
    });
    const dir = dirname(await setting(url, 'data_directory'));
    child.kill('SIGKILL');
    await waitFor(async () => !existsSync(dir) && (await refusesConnections(url)));
  });
});

describe('when PostgreSQL is missing', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('skips the PostgreSQL variants outside CI and fails under CI', () => {
    vi.stubEnv('TOKKI_TEST_POSTGRES_URL', undefined);
    vi.stubEnv('TOKKI_PG_BIN', '/nonexistent/postgresql/bin');
    expect(postgresAvailability()).toEqual({
      available: false,
      reason: 'TOKKI_PG_BIN=/nonexistent/postgresql/bin has no initdb and postgres',
    });
    vi.stubEnv('CI', 'false');
    expect(shouldTestPostgres()).toBe(false);
    vi.stubEnv('CI', 'true');
    expect(() => shouldTestPostgres()).toThrow(/PostgreSQL is required when CI=true/);
  });
});
