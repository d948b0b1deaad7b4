// Runs the built `tokki` CLI as child processes, the way a user or a script does, with its
// credentials in a temporary $TOKKI_HOME. For this package's tests only (not built into dist).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, testPhone, type TestServer } from '@tokki/dev-env';

export const CLI_BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `tokki` command. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once the stream's output so far matches. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<void>;
  finished: Promise<Finished>;
}

/** `tokki` commands sharing one $TOKKI_HOME. */
export class CliHarness {
  readonly home: string;

  constructor() {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first (npx tsc -b).`);
    this.home = mkdtempSync(join(tmpdir(), 'tokki-cli-'));
  }

  /** Starts a command; `input` is its whole stdin; `env` is added to this process's. */
  start(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Running {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      env: { ...process.env, TOKKI_HOME: this.home, TOKKI_DEBUG: '', ...env },
    });
    const output = { stdout: '', stderr: '' };
    const watchers: (() => void)[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        output[stream] += chunk;
        for (const watcher of [...watchers]) watcher();
      });
    }
    child.stdin.end(input);
    const finished = new Promise<Finished>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, ...output }));
    });
    return {
      child,
      stdout: () => output.stdout,
      stderr: () => output.stderr,
      finished,
      waitFor: (stream, pattern, timeoutMs = 15_000) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new Error(`${pattern} never appeared on ${stream}:\n${output[stream]}`));
          }, timeoutMs);
          const check = () => {
            if (!pattern.test(output[stream])) return;
            clearTimeout(timer);
            watchers.splice(watchers.indexOf(check), 1);
            resolve();
          };
          watchers.push(check);
          check();
        }),
    };
  }

  /** Runs a command to its end, whatever its exit code. */
  run(args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<Finished> {
    return this.start(args, input, env).finished;
  }

  /** Runs a command that must succeed; its stdout. */
  async ok(args: string[], input?: string): Promise<string> {
    const result = await this.run(args, input);
    if (result.code !== 0) {
      throw new Error(`tokki ${args.join(' ')} exited with ${result.code}:\n${result.stderr}`);
    }
    return result.stdout;
  }

  /** Signs test number n in as `profile` through `tokki login`; the user's id. */
  async login(server: string, profile: string, n: number, name: string): Promise<string> {
    const { phone, code } = testPhone(n);
    const stdout = await this.ok([
      'login',
      '--server',
      server,
      '--phone',
      phone,
      '--code',
      code,
      '--name',
      name,
      '--profile',
      profile,
      '--json',
    ]);
    return (JSON.parse(stdout) as { userId: string }).userId;
  }

  /** A profile's file as `tokki login` saved it. */
  storedProfile(name: string): { server: string; token: string; pts?: number } {
    return JSON.parse(readFileSync(join(this.home, 'profiles', `${name}.json`), 'utf8')) as {
      server: string;
      token: string;
      pts?: number;
    };
  }

  /** Deletes $TOKKI_HOME. */
  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Each non-blank line of `--json` output, parsed. */
export function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as unknown);
}

/**
 * For a test file: a harness and a test server in this process, started before its tests and
 * stopped after them. Read the fields inside tests (they are set in `beforeAll`).
 */
export function useCliAndServer(): { cli: CliHarness; server: TestServer } {
  const context = {} as { cli: CliHarness; server: TestServer };
  beforeAll(async () => {
    context.cli = new CliHarness();
    context.server = await startTestServer();
  });
  afterAll(async () => {
    await context.server?.close();
    context.cli?.dispose();
  });
  return context;
}
