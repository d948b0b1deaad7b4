import { sql, type Transaction } from 'kysely';
import type { Database } from './database.js';
import type { DatabaseSchema } from './schema.js';

/** What a write job gets: the batch's transaction, the pts allocator and commit hooks. */
export interface Writer {
  readonly db: Transaction<DatabaseSchema>;
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
  onHookError?: (error: unknown) => void;
}

/**
 * Every write goes through here. Jobs that arrive while a commit is in flight are committed
 * together in one transaction — one fsync for many messages (group commit) — and each job runs
 * inside its own savepoint, so one failing job fails alone. The pts counter is read and written
 * once per batch under a row lock, which also orders commits across nodes on PostgreSQL.
 * A job is answered only after the transaction holding it has committed.
 */
export class WriteQueue {
  private pending: Job[] = [];
  private draining = false;
  private readonly maxBatch: number;

  constructor(
    private readonly database: Database,
    private readonly options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
  }

  run<T>(work: (writer: Writer) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // Let the current I/O phase queue its jobs too, so a burst shares one commit.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves once everything queued so far is committed or failed. */
  async idle(): Promise<void> {
    while (this.draining) await new Promise((r) => setImmediate(r));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      await this.commit(batch);
    }
    this.draining = false;
  }

  private async commit(batch: Job[]): Promise<void> {
    const { db, dialect } = this.database;
    let outcomes: Outcome[];
    try {
      const trx = await db.startTransaction().execute();
      try {
        outcomes = await this.runJobs(trx, batch, dialect === 'postgres');
        await trx.commit().execute();
      } catch (error) {
        await trx
          .rollback()
          .execute()
          .catch(() => {});
        throw error;
      }
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

  private async runJobs(
    trx: Transaction<DatabaseSchema>,
    batch: Job[],
    lockCounter: boolean,
  ): Promise<Outcome[]> {
    let query = trx.selectFrom('counters').select('value').where('name', '=', 'pts');
    if (lockCounter) query = query.forUpdate();
    const start = (await query.executeTakeFirstOrThrow()).value;
    let pts = start;
    const now = Date.now();
    const isolate = batch.length > 1;
    const outcomes: Outcome[] = [];

    for (const job of batch) {
      const hooks: (() => void)[] = [];
      const writer: Writer = {
        db: trx,
        now,
        nextPts: () => ++pts,
        afterCommit: (hook) => hooks.push(hook),
      };
      if (!isolate) {
        outcomes.push({ ok: true, value: await job.work(writer), hooks });
        continue;
      }
      await sql`savepoint job`.execute(trx);
      try {
        const value = await job.work(writer);
        await sql`release savepoint job`.execute(trx);
        outcomes.push({ ok: true, value, hooks });
      } catch (error) {
        // pts the failed job took are simply skipped: pts increase, they need not be dense.
        await sql`rollback to savepoint job`.execute(trx);
        await sql`release savepoint job`.execute(trx);
        outcomes.push({ ok: false, error });
      }
    }
    if (pts !== start) {
      await trx.updateTable('counters').set({ value: pts }).where('name', '=', 'pts').execute();
    }
    return outcomes;
  }
}
