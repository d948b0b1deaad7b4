import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withTimeout } from '../stats/limit.js';
import { Fleet } from './fleet.js';
import type { CallName, Calls, FromGenerator, GeneratorEvent, ToGenerator } from './protocol.js';

/** The coordinator's end of one generator, whether a child process or (in tests) in process. */
export interface GeneratorLink {
  readonly index: number;
  /** The child's pid; undefined in process. */
  readonly pid: number | undefined;
  call<K extends CallName>(name: K, params: Calls[K]['params']): Promise<Calls[K]['result']>;
  onEvent(listener: (event: GeneratorEvent) => void): () => void;
  close(): Promise<void>;
}

const GENERATOR_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** A generator in its own Node process, pinned to `cpus` with taskset when given. */
export class ForkedGenerator implements GeneratorLink {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Set<(event: GeneratorEvent) => void>();
  private readonly exited: Promise<void>;

  private constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: FromGenerator) => this.onMessage(message));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const error = new Error(`generator ${index} exited (${signal ?? code})`);
        for (const { reject } of this.pending.values()) reject(error);
        this.pending.clear();
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(
    index: number,
    options: { taskset?: string[] } = {},
  ): Promise<ForkedGenerator> {
    // Generators keep every ack of a long run until the database check.
    const node = [process.execPath, '--max-old-space-size=4096', GENERATOR_MAIN, String(index)];
    const [command, ...args] = [...(options.taskset ?? []), ...node];
    const child = spawn(command!, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const link = new ForkedGenerator(index, child);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', () => reject(new Error(`generator ${index} exited on start`)));
        child.on('message', (message: FromGenerator) => {
          if (message.type === 'ready') resolve();
        });
      }),
      15_000,
      `starting generator ${index}`,
    );
    return link;
  }

  call<K extends CallName>(name: K, params: Calls[K]['params']): Promise<Calls[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const message: ToGenerator = { type: 'call', id, name, params };
      this.child.send(message);
    });
  }

  onEvent(listener: (event: GeneratorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killer);
  }

  private onMessage(message: FromGenerator): void {
    if (message.type === 'event') {
      for (const listener of this.listeners) listener(message.event);
      return;
    }
    if (message.type !== 'result' && message.type !== 'failure') return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.type === 'result') call.resolve(message.result);
    else call.reject(new Error(`generator ${this.index}: ${message.message}`));
  }
}

/**
 * A generator in the coordinator's own process, for the harness's tests: the same calls and
 * events, cloned as IPC would.
 */
export class InProcessGenerator implements GeneratorLink {
  readonly pid = undefined;
  private readonly listeners = new Set<(event: GeneratorEvent) => void>();
  private readonly fleet: Fleet;

  constructor(readonly index: number) {
    this.fleet = new Fleet(index, (event) => {
      const copy = structuredClone(event);
      queueMicrotask(() => this.listeners.forEach((listener) => listener(copy)));
    });
  }

  async call<K extends CallName>(name: K, params: Calls[K]['params']): Promise<Calls[K]['result']> {
    return structuredClone(await this.fleet.handle(name, structuredClone(params)));
  }

  onEvent(listener: (event: GeneratorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.fleet.handle('disconnect', {});
  }
}
