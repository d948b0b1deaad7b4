import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { filesystemOf } from './machine.js';

/** A message row as the loss check needs it. */
export interface StoredMessage {
  chatId: string;
  seq: number;
  clientMsgId: string;
}

/** Read access to the server's database, to check what it acknowledged against what it stored. */
export interface BenchDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  messagesIn(chatIds: readonly string[]): Promise<StoredMessage[]>;
  /**
   * PostgreSQL's processes serving the server (its pool's backends), to measure the database's
   * CPU when it runs on this machine; none for SQLite, which runs inside the server.
   */
  serverProcessIds(): Promise<number[]>;
  close(): Promise<void>;
}

const CHUNK = 500;

export async function openBenchDatabase(url: string): Promise<BenchDatabase> {
  if (url.startsWith('sqlite:')) {
    const sqlite = new SqliteDatabase(url.slice('sqlite:'.length), {
      readonly: true,
      fileMustExist: true,
    });
    return {
      dialect: 'sqlite',
      messagesIn: async (chatIds) => {
        const rows: StoredMessage[] = [];
        for (let i = 0; i < chatIds.length; i += CHUNK) {
          const chunk = chatIds.slice(i, i + CHUNK);
          const statement = sqlite.prepare(
            `select chat_id as chatId, seq, client_msg_id as clientMsgId from messages
             where chat_id in (${chunk.map(() => '?').join(',')})`,
          );
          // Not push(...rows): a chunk can hold more rows than a call has room for arguments.
          for (const row of statement.all(...chunk) as StoredMessage[]) rows.push(row);
        }
        return rows;
      },
      serverProcessIds: async () => [],
      close: async () => void sqlite.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    dialect: 'postgres',
    messagesIn: async (chatIds) => {
      const result = await client.query<StoredMessage>(
        `select chat_id as "chatId", seq, client_msg_id as "clientMsgId" from messages
         where chat_id = any($1)`,
        [chatIds],
      );
      return result.rows.map((row) => ({ ...row, seq: Number(row.seq) }));
    },
    serverProcessIds: async () => {
      const result = await client.query<{ pid: number }>(
        `select pid from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()`,
      );
      return result.rows.map((row) => row.pid);
    },
    close: () => client.end(),
  };
}

/** A database made for one run, and how to throw it away. */
export interface ProvisionedDatabase {
  url: string;
  dialect: 'sqlite' | 'postgres';
  /** Where it lives and how it is configured, for the report. */
  details: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * `sqlite` (the default): a fresh file in a new temporary directory. A `postgres://` URL: a fresh
 * database on that server (the role needs CREATEDB). `postgres`: a throwaway PostgreSQL from
 * Debian's binaries, started the way the tests start theirs.
 */
export async function provisionDatabase(spec: string): Promise<ProvisionedDatabase> {
  if (spec === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'tokki-bench-'));
    return {
      url: `sqlite:${join(dir, 'tokki.db')}`,
      dialect: 'sqlite',
      details: { file: join(dir, 'tokki.db'), filesystem: filesystemOf(dir) },
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (spec === 'postgres') {
    const { startPostgres } = await import('@tokki/dev-env');
    const server = await startPostgres({ fresh: true });
    try {
      const database = await createPostgresDatabase(server.url);
      return {
        ...database,
        details: { ...database.details, server: 'throwaway (dev-env startPostgres)' },
        drop: async () => {
          await database.drop();
          await server.stop();
        },
      };
    } catch (error) {
      await server.stop();
      throw error;
    }
  }
  if (/^postgres(ql)?:\/\//.test(spec)) return createPostgresDatabase(spec);
  throw new Error(`--db takes sqlite, postgres or a postgres:// URL, not "${spec}"`);
}

async function createPostgresDatabase(serverUrl: string): Promise<ProvisionedDatabase> {
  const name = `tokki_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  let details: Record<string, string> = {};
  try {
    await admin.query(`create database ${name}`);
    const settings = await admin.query<{ name: string; setting: string; unit: string | null }>(
      `select name, setting, unit from pg_settings where name = any($1)`,
      [
        [
          'server_version',
          'shared_buffers',
          'fsync',
          'synchronous_commit',
          'max_connections',
          'data_directory',
        ],
      ],
    );
    details = Object.fromEntries(
      settings.rows.map((row) => [
        row.name,
        row.unit ? `${row.setting} × ${row.unit}` : row.setting,
      ]),
    );
    if (details.data_directory) details.filesystem = filesystemOf(dirname(details.data_directory));
    delete details.data_directory;
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dialect: 'postgres',
    details: { database: name, ...details },
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
