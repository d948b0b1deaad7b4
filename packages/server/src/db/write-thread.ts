import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WriteCommand } from './commands.js';
import type { CommittedBatch } from './batch.js';
import {
  fromWireError,
  fromWireOutcome,
  type WriteThreadData,
  type WriteThreadReady,
  type WriteThreadReply,
  type WriteThreadRequest,
} from './write-thread-wire.js';

interface Waiter {
  resolve: (committed: CommittedBatch) => void;
  reject: (error: unknown) => void;
}

/**
 * The thread died with batches unanswered: each may or may not have committed. `restartedAt` is
 * the pts counter as its replacement found it before committing anything, so the pts after the
 * last answered batch up to there are what the dead thread committed and never told of.
 */
export class WriteThreadDied extends Error {
  constructor(
    code: number,
    readonly restartedAt: Promise<number>,
  ) {
    super(`SQLite write thread exited (${code}); the batch may not be stored`);
  }
}

interface Started {
  worker: Worker;
  /** The pts counter when the thread started. */
  pts: number;
}

/**
 * A worker thread that owns a second write connection to the SQLite file and commits batches
 * of write commands (commands.ts), which it runs as the module `registryModule` registers them. With better-sqlite3 every statement, WAL write and
 * fsync blocks the thread that calls it; on the event loop, a commit stopped every socket. Here
 * the event loop keeps reading and writing sockets while a batch commits, and on a machine with
 * a free core the two run in parallel. The WriteQueue never has a batch open on both connections
 * at once, so they never wait for each other's lock. A thread that dies is replaced at once; the
 * batches it held fail with WriteThreadDied, which tells the WriteQueue where to read what the
 * dead thread committed.
 */
export class WriteThread {
  private nextId = 0;
  private readonly waiting = new Map<number, Waiter>();
  private worker: Promise<Started>;
  private readonly exited = new WeakSet<Worker>();
  private closed = false;
  /** The pts counter when the first thread started (set by `start`). */
  startedAt = 0;

  private constructor(
    private readonly file: string,
    private readonly registryModule: URL | undefined,
  ) {
    this.worker = this.spawn();
  }

  /** `registryModule` exports the `writeRegistry` (WriteRegistry) the thread runs commands with. */
  static async start(file: string, registryModule?: URL): Promise<WriteThread> {
    const thread = new WriteThread(file, registryModule);
    thread.startedAt = (await thread.worker).pts;
    return thread;
  }

  /**
   * Commits the commands in one transaction; one outcome per command, in order. Rejects only if
   * the transaction failed or the thread died (WriteThreadDied) — then it is unknown whether the
   * batch committed, and callers retry with the same idempotency keys.
   */
  async commit(commands: WriteCommand[], now?: number): Promise<CommittedBatch> {
    if (this.closed) throw new Error('The SQLite write thread is closed.');
    let { worker } = await this.worker;
    // It died while this batch waited for it: its replacement takes the batch.
    while (this.exited.has(worker)) ({ worker } = await this.worker);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, commands, now } satisfies WriteThreadRequest);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const started = await this.worker.catch(() => null);
    if (!started || this.exited.has(started.worker)) return;
    const exited = new Promise((resolve) => started.worker.once('exit', resolve));
    started.worker.postMessage('close');
    await exited;
  }

  /** For tests: the thread dies as if it had crashed. */
  async crashForTest(): Promise<void> {
    await (await this.worker).worker.terminate();
  }

  /** For tests: the thread dies right after its next commit, before it answers. */
  async exitAfterNextCommitForTest(): Promise<void> {
    (await this.worker).worker.postMessage('exit-after-next-commit');
  }

  private spawn(): Promise<Started> {
    const registry = this.registryModule && built(this.registryModule).href;
    const worker = new Worker(built(new URL('./write-thread-worker.js', import.meta.url)), {
      workerData: { file: this.file, registry } satisfies WriteThreadData,
    });
    let started = false;
    const ready = new Promise<Started>((resolve, reject) => {
      worker.once('message', ({ pts }: WriteThreadReady) => {
        started = true;
        resolve({ worker, pts });
      });
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`SQLite write thread failed to start (${code})`)),
      );
    });
    worker.on('message', (reply: WriteThreadReply | WriteThreadReady) => {
      if ('id' in reply) this.onReply(reply);
    });
    worker.on('error', () => {});
    worker.on('exit', (code) => {
      this.exited.add(worker);
      // One that never started would fail again: its error answers every later batch.
      if (!started || this.closed) {
        const error = new Error(`SQLite write thread exited (${code})`);
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
        return;
      }
      // The replacement first, so that the batches failed here learn where it found the log.
      this.worker = this.spawn();
      const died = new WriteThreadDied(
        code,
        this.worker.then((s) => s.pts),
      );
      died.restartedAt.catch(() => {}); // Answered to whoever waits; not a crash of its own.
      for (const waiter of this.waiting.values()) waiter.reject(died);
      this.waiting.clear();
    });
    ready.catch(() => {}); // Answered to whoever waits for the thread; not a crash of its own.
    return ready;
  }

  private onReply(reply: WriteThreadReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if ('failed' in reply) waiter.reject(fromWireError(reply.failed));
    else {
      const { outcomes, after, through } = reply;
      waiter.resolve({ outcomes: outcomes.map(fromWireOutcome), after, through });
    }
  }
}

/**
 * A module as a worker thread can load it: compiled. Tests run the server from its TypeScript
 * sources, which a worker thread cannot load, so they use the build (`npm test` builds first).
 */
function built(module: URL): URL {
  const path = fileURLToPath(module).replace(/\.ts$/, '.js');
  if (existsSync(path)) return pathToFileURL(path);
  const at = path.lastIndexOf('/src/');
  const compiled = `${path.slice(0, at)}/dist/${path.slice(at + '/src/'.length)}`;
  if (at < 0 || !existsSync(compiled)) {
    throw new Error(`${path} is not built (${compiled}): run npm run build.`);
  }
  return pathToFileURL(compiled);
}
