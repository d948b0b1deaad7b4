import type { Transaction } from 'kysely';
import type { Database } from './database.js';
import type { DatabaseSchema } from './schema.js';
import type { SqlRunner } from './sql-runner.js';

/** What a write job gets: the batch's transaction, the pts allocator and commit hooks. */
export interface Writer {
  readonly db: Transaction<DatabaseSchema>;
  /** Plain SQL in the same transaction, for the hot path. */
  readonly sql: SqlRunner;
  /** Milliseconds since the epoch, fixed for the whole batch. */
  readonly now: number;
  /** The next position in the server-wide update log; increases in commit order. */
  nextPts(): number;
  /** Runs after the batch is durably committed, before the job's caller is answered. */
  afterCommit(hook: () => void): void;
}

interface Job {
  work: (writer: Writer) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown; hooks: (() => void)[] } | { ok: false; error: unknown };

export interface WriteQueueOptions {
  /** Jobs committed together at most. */
  maxBatch?: number;
  /**
   * Least time between the starts of two commits while writes keep coming: under load, one
   * fsync per window instead of one per turn of the event loop. The first write after a quiet
   * spell commits at once.
   */
  commitWindowMs?: number;
  onHookError?: (error: unknown) => void;
}

const DEFAULT_COMMIT_WINDOW_MS = 4;

/**
 * Every write goes through here. Jobs that arrive while a commit is in flight are committed
 * together in one transaction — one fsync for many messages (group commit). If a job throws,
 * the batch is rolled back and run again with each job in its own savepoint, so that job fails
 * alone; a job's work may therefore run more than once, and only the committed run counts (keep
 * side effects in `afterCommit`). The pts counter is read and written once per batch under a row
 * lock, which also orders commits across nodes on PostgreSQL. A job is answered only after the
 * transaction holding it has committed.
 */
export class WriteQueue {
  private pending: Job[] = [];
  private draining = false;
  private readonly maxBatch: number;
  private readonly commitWindowMs: number;
  private lastCommitAt = -Infinity;

  constructor(
    private readonly database: Database,
    private readonly options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.commitWindowMs = options.commitWindowMs ?? DEFAULT_COMMIT_WINDOW_MS;
  }

  run<T>(work: (writer: Writer) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        void this.drain();
      }
    });
  }

  /**
   * Lets the current I/O phase queue its jobs too, and, right after a commit, waits out the rest
   * of the commit window, so that a burst shares one commit — unless a full batch is waiting.
   */
  private async untilWindowOpens(): Promise<void> {
    const wait = this.lastCommitAt + this.commitWindowMs - performance.now();
    if (wait >= 1 && this.pending.length < this.maxBatch) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    } else {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Resolves once everything queued so far is committed or failed. */
  async idle(): Promise<void> {
    while (this.draining) await new Promise((r) => setImmediate(r));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      await this.untilWindowOpens();
      const batch = this.pending.splice(0, this.maxBatch);
      this.lastCommitAt = performance.now();
      await this.commit(batch);
    }
    this.draining = false;
  }

  private async commit(batch: Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      // Fast path: the whole batch in one transaction. A job that fails sends the batch back
      // to run again with every job in a savepoint of its own, so it fails alone.
      outcomes = await this.transact(batch, false).catch((error: unknown) => {
        if (!(error instanceof JobFailed)) throw error;
        if (batch.length === 1) throw error.cause;
        return this.transact(batch, true);
      });
    } catch (error) {
      // The transaction itself failed: nothing in it was stored, so nothing is acknowledged.
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, index) => {
      const outcome = outcomes[index]!;
      if (!outcome.ok) return job.reject(outcome.error);
      for (const hook of outcome.hooks) {
        try {
          hook();
        } catch (error) {
          this.options.onHookError?.(error);
        }
      }
      job.resolve(outcome.value);
    });
  }

  private async transact(batch: Job[], isolate: boolean): Promise<Outcome[]> {
    const trx = await this.database.db.startTransaction().execute();
    try {
      const outcomes = await this.runJobs(trx, batch, isolate);
      await trx.commit().execute();
      return outcomes;
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      throw error;
    }
  }

  private async runJobs(
    trx: Transaction<DatabaseSchema>,
    batch: Job[],
    isolate: boolean,
  ): Promise<Outcome[]> {
    const runner = this.database.runner(trx);
    const lock = this.database.dialect === 'postgres' ? ' for update' : '';
    const counter = await runner.get<{ value: number }>(
      `select value from counters where name = 'pts'${lock}`,
      [],
    );
    const start = Number(counter!.value);
    let pts = start;
    const now = Date.now();
    const outcomes: Outcome[] = [];

    for (const job of batch) {
      const hooks: (() => void)[] = [];
      const writer: Writer = {
        db: trx,
        sql: runner,
        now,
        nextPts: () => ++pts,
        afterCommit: (hook) => hooks.push(hook),
      };
      if (!isolate) {
        try {
          outcomes.push({ ok: true, value: await job.work(writer), hooks });
        } catch (error) {
          throw new JobFailed(error);
        }
        continue;
      }
      await runner.run('savepoint job', []);
      try {
        const value = await job.work(writer);
        await runner.run('release savepoint job', []);
        outcomes.push({ ok: true, value, hooks });
      } catch (error) {
        // pts the failed job took are simply skipped: pts increase, they need not be dense.
        await runner.run('rollback to savepoint job', []);
        await runner.run('release savepoint job', []);
        outcomes.push({ ok: false, error });
      }
    }
    if (pts !== start) await runner.run(`update counters set value = ? where name = 'pts'`, [pts]);
    return outcomes;
  }
}

/** A job threw inside a batch that has no savepoints: the batch must run again, isolated. */
class JobFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('a job in the batch failed');
  }
}
