import type { BusMessages, BusTopic, Publication } from '../bus/bus.js';
import type { BatchHook } from './commands.js';
import type { SqlRunner } from './sql-runner.js';

/**
 * What one job of a write batch gets, wherever the batch runs (on the event loop or on the
 * SQLite write thread): plain SQL in the batch's transaction, the clock and the pts allocator.
 */
export interface StepWriter {
  /** Plain SQL in the batch's transaction. */
  readonly sql: SqlRunner;
  /** Milliseconds since the epoch, fixed for the whole batch. */
  readonly now: number;
  /** The next position in the server-wide update log; increases in commit order. */
  nextPts(): number;
  /** Published on the bus after the batch commits, before the job's caller is answered. */
  publish<T extends BusTopic>(topic: T, message: BusMessages[T]): void;
}

export type JobOutcome =
  { ok: true; value: unknown; publications: Publication[] } | { ok: false; error: unknown };

/** A committed batch: one outcome per job, and the pts it took, after `after` up to `through`. */
export interface CommittedBatch {
  outcomes: JobOutcome[];
  after: number;
  through: number;
}

/**
 * Thrown by a job that refuses before it has written anything (a send to a chat the sender is not
 * in): it fails alone and the rest of the batch goes on, where any other error makes the whole
 * batch run again with savepoints — which a stream of bad requests must not be able to force.
 */
export class Refused extends Error {
  constructor(readonly reason: unknown) {
    super('refused');
  }
}

/** One open transaction of a batch and how to end it. */
export interface BatchTransaction {
  sql: SqlRunner;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface BatchOptions<W, T extends BatchTransaction> {
  dialect: 'sqlite' | 'postgres';
  /** Run around the jobs of every batch, in its transaction (see BatchHook). */
  hooks: readonly BatchHook[];
  begin(): Promise<T>;
  /** Adds whatever else a job needs (the main thread's Kysely transaction) to its writer. */
  extend(writer: StepWriter, transaction: T): W;
  /** The batch's `now`; the real time unless given (the abuse script steps a clock). */
  now?: number;
}

/**
 * Runs jobs in one transaction and commits them together (group commit). If a job throws, the
 * batch is rolled back and run again with each job in a savepoint of its own, so that job fails
 * alone; a job may therefore run more than once, and only the committed run counts — keep side
 * effects in its publications (data only, so that they can cross threads). The pts counter is
 * read and written once per batch (under a row lock on PostgreSQL, which also orders commits
 * across nodes). Throws only if the transaction itself failed; then nothing of it is stored.
 */
export async function commitBatch<W, T extends BatchTransaction>(
  jobs: readonly ((writer: W) => Promise<unknown>)[],
  options: BatchOptions<W, T>,
): Promise<CommittedBatch> {
  try {
    return await transact(jobs, options, false);
  } catch (error) {
    if (!(error instanceof JobFailed)) throw error;
    // Nothing was stored and no pts taken: the counter's update was rolled back too.
    if (jobs.length === 1)
      return { outcomes: [{ ok: false, error: error.cause }], after: 0, through: 0 };
    return transact(jobs, options, true);
  }
}

async function transact<W, T extends BatchTransaction>(
  jobs: readonly ((writer: W) => Promise<unknown>)[],
  options: BatchOptions<W, T>,
  isolate: boolean,
): Promise<CommittedBatch> {
  const transaction = await options.begin();
  try {
    const committed = await runJobs(jobs, options, transaction, isolate);
    await transaction.commit();
    return committed;
  } catch (error) {
    await transaction.rollback().catch(() => {});
    throw error;
  }
}

async function runJobs<W, T extends BatchTransaction>(
  jobs: readonly ((writer: W) => Promise<unknown>)[],
  options: BatchOptions<W, T>,
  transaction: T,
  isolate: boolean,
): Promise<CommittedBatch> {
  const { sql } = transaction;
  const lock = options.dialect === 'postgres' ? ' for update' : '';
  const counter = await sql.get<{ value: number }>(
    `select value from counters where name = 'pts'${lock}`,
    [],
  );
  const start = Number(counter!.value);
  let pts = start;
  const hooked: [BatchHook, unknown][] = [];
  for (const hook of options.hooks) hooked.push([hook, await hook.begin(sql, options.dialect)]);
  const now = options.now ?? Date.now();
  const outcomes: JobOutcome[] = [];

  for (const job of jobs) {
    const publications: Publication[] = [];
    const writer = options.extend(
      {
        sql,
        now,
        nextPts: () => ++pts,
        publish: (topic, message) => publications.push({ topic, message } as Publication),
      },
      transaction,
    );
    if (!isolate) {
      try {
        outcomes.push({ ok: true, value: await job(writer), publications });
      } catch (error) {
        if (!(error instanceof Refused)) throw new JobFailed(error);
        outcomes.push({ ok: false, error: error.reason });
      }
      continue;
    }
    await sql.run('savepoint job', []);
    try {
      const value = await job(writer);
      await sql.run('release savepoint job', []);
      outcomes.push({ ok: true, value, publications });
    } catch (error) {
      // pts the failed job took are simply skipped: pts increase, they need not be dense.
      await sql.run('rollback to savepoint job', []);
      await sql.run('release savepoint job', []);
      outcomes.push({ ok: false, error: error instanceof Refused ? error.reason : error });
    }
  }
  if (pts !== start) await sql.run(`update counters set value = ? where name = 'pts'`, [pts]);
  for (const [hook, state] of hooked) await hook.beforeCommit(sql, state, options.dialect);
  return { outcomes, after: start, through: pts };
}

/** A job threw inside a batch that has no savepoints: the batch must run again, isolated. */
class JobFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('a job in the batch failed');
  }
}
