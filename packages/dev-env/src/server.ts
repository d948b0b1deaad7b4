import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  settingsToEnv,
  startServer,
  type ConfigInput,
  type ContextOverrides,
  type TokkiServer,
} from '@tokki/server';
import { WEB_DIST } from './browser.js';
import { createTestDatabase, type TestDialect } from './postgres.js';

export interface TestServer {
  url: string;
  databaseUrl: string;
  server: TokkiServer;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/** The contact-hash key of every test server, so that none writes a key file. */
export const TEST_CONTACT_HASH_KEY = '7e57'.repeat(16);

/**
 * Most tests build groups of users who are strangers to each other, and send hundreds of messages
 * from one user in a second: they run with `groupAdds: 'anyone'` and these per-user limits
 * raised. The tests of those rules (chats/adding.test.ts, rate-limit/limits.test.ts) set theirs.
 */
export const TEST_RATE_LIMITS = {
  messagesPerUser: { max: 1_000_000, windowSeconds: 60 },
  groupsPerUser: { max: 1_000_000, windowSeconds: 3600 },
  memberAddsPerUser: { max: 1_000_000, windowSeconds: 86_400 },
};

const TEST_CONFIG: ConfigInput = {
  host: '127.0.0.1',
  port: 0,
  mode: 'local',
  logLevel: process.env.TOKKI_TEST_LOG ?? 'silent',
  contactHashKey: TEST_CONTACT_HASH_KEY,
  groupAdds: 'anyone',
  rateLimits: TEST_RATE_LIMITS,
};

/** A real server in this process on a random port, with a fresh database of the dialect. */
export async function startTestServer(
  options: {
    dialect?: TestDialect;
    config?: ConfigInput;
    overrides?: ContextOverrides;
    /** Serve the built web app at `/`. */
    web?: boolean;
    /** Another node on this test server's database (which its `close` leaves in place). */
    sharing?: TestServer;
  } = {},
): Promise<TestServer> {
  const database = options.sharing
    ? { url: options.sharing.databaseUrl, drop: async () => {} }
    : await createTestDatabase(options.dialect ?? 'sqlite');
  // Each test server its own blob store (a node, its database's): deleting a message erases
  // blobs its database no longer refers to, which another suite's server may be using.
  const ownMedia =
    options.sharing || options.config?.mediaDir
      ? undefined
      : await mkdtemp(join(tmpdir(), 'tokki-media-'));
  const mediaDir = options.sharing?.server.ctx.config.mediaDir ?? ownMedia;
  const server = await startServer(
    {
      ...TEST_CONFIG,
      databaseUrl: database.url,
      ...(mediaDir && { mediaDir }),
      ...(options.web && { webRoot: WEB_DIST }),
      ...options.config,
      // A test that sets some limits keeps the raised ones it does not set.
      rateLimits: { ...TEST_RATE_LIMITS, ...options.config?.rateLimits },
    },
    options.overrides,
  );
  return {
    url: server.url,
    databaseUrl: database.url,
    server,
    close: async () => {
      await server.close();
      await database.drop();
      if (ownMedia) await rm(ownMedia, { recursive: true, force: true });
    },
  };
}

/** `+99966 X YYYY`, the n-th local-mode test number (n < 100,000), and its fixed code. */
export function testPhone(n: number): { phone: string; code: string } {
  if (!Number.isInteger(n) || n < 0 || n >= 100_000) throw new RangeError(`No test number ${n}`);
  const x = Math.floor(n / 10_000);
  return { phone: `+99966${x}${String(n % 10_000).padStart(4, '0')}`, code: String(x).repeat(5) };
}

export interface TestUser {
  token: string;
  userId: string;
  deviceId: string;
  phone: string;
}

/** Signs test number n in over HTTP, as a real client would; each call is a new device. */
export async function signInTestUser(
  url: string,
  n: number,
  options: { displayName?: string; deviceName?: string } = {},
): Promise<TestUser> {
  const { phone, code } = testPhone(n);
  await post(url, 'auth.requestCode', { phone });
  const result = (await post(url, 'auth.signIn', {
    phone,
    code,
    displayName: options.displayName ?? `User ${n}`,
    ...(options.deviceName && { deviceName: options.deviceName }),
  })) as { token: string; me: { id: string }; deviceId: string };
  return { token: result.token, userId: result.me.id, deviceId: result.deviceId, phone };
}

/**
 * Signs in one user per display name, test numbers `first`, `first + 1`, …; the answer is a
 * tuple as long as `names`, so `[alice, bob] = await signInTestUsers(url, ['Alice', 'Bob'])`.
 */
export async function signInTestUsers<const Names extends readonly string[]>(
  url: string,
  names: Names,
  first = 1,
): Promise<{ -readonly [K in keyof Names]: TestUser }> {
  const users = await Promise.all(
    names.map((displayName, i) => signInTestUser(url, first + i, { displayName })),
  );
  return users as { -readonly [K in keyof Names]: TestUser };
}

/** One raw API call, for tests that check the wire itself. Throws on a non-2xx answer. */
export async function post(
  url: string,
  method: string,
  params: unknown,
  token?: string,
): Promise<unknown> {
  const response = await fetch(`${url}/v1/${method}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as {
    error?: {
      code: string;
      message: string;
      retryAfter?: number;
      epoch?: number;
      deviceIds?: string[];
    };
  };
  if (!response.ok) {
    throw Object.assign(new Error(`${method}: ${body.error?.code} ${body.error?.message}`), {
      code: body.error?.code,
      status: response.status,
      ...(body.error?.retryAfter !== undefined && { retryAfter: body.error.retryAfter }),
      ...(body.error?.epoch !== undefined && { epoch: body.error.epoch }),
      ...(body.error?.deviceIds !== undefined && { deviceIds: body.error.deviceIds }),
    });
  }
  return body;
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Output so far, for diagnosing a failure. */
  output(): string;
  /** SIGKILL: no shutdown code runs, like a power cut for the process. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
}

const CLI_BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));

/**
 * `tokki serve` as a child process (from the built CLI: `npm run build` first), for tests that
 * kill the server. Resolves once it listens.
 */
export async function startServerProcess(options: {
  databaseUrl: string;
  port?: number;
  /** `nats://…`: a node of a cluster. */
  busUrl?: string;
  /** More `TOKKI_*` settings, e.g. `TOKKI_TRUST_PROXY` behind a proxy. */
  env?: NodeJS.ProcessEnv;
}): Promise<ServerProcess> {
  const args = [
    CLI_BIN,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--db',
    options.databaseUrl,
    ...(options.busUrl ? ['--bus', options.busUrl] : []),
  ];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      TOKKI_LOG_LEVEL: process.env.TOKKI_TEST_LOG ?? 'info',
      TOKKI_CONTACT_HASH_KEY: TEST_CONTACT_HASH_KEY,
      ...settingsToEnv({ groupAdds: 'anyone', rateLimits: TEST_RATE_LIMITS }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`tokki serve exited with ${code}:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Uploads a whole file to a chat through tus (`/v1/uploads`: one POST, one PATCH), as a client
 * would; the new file's id. Throws on any refusal.
 */
export async function uploadTestFile(
  url: string,
  token: string,
  data: Buffer,
  metadata: { chatId: string; filename: string; filetype: string },
): Promise<string> {
  const tus = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const created = await fetch(`${url}/v1/uploads`, {
    method: 'POST',
    headers: {
      ...tus,
      'upload-length': String(data.length),
      'upload-metadata': Object.entries(metadata)
        .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
        .join(','),
    },
  });
  if (created.status !== 201) throw new Error(`upload refused: ${created.status}`);
  const location = new URL(created.headers.get('location')!, `${url}/v1/uploads`);
  const finished = await fetch(location, {
    method: 'PATCH',
    headers: {
      ...tus,
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(data),
  });
  const fileId = finished.headers.get('tokki-file-id');
  if (finished.status !== 204 || !fileId) throw new Error(`upload failed: ${finished.status}`);
  return fileId;
}
