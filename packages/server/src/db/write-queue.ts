import type { Transaction } from 'kysely';
import type { Publication } from '../bus/bus.js';
import { runCommand, type CommandOutcome, type WriteCommand } from './commands.js';
import { commitBatch, type CommittedBatch, type JobOutcome, type StepWriter } from './batch.js';
import type { Database } from './database.js';
import type { DatabaseSchema } from './schema.js';
import { WriteThreadDied } from './write-thread.js';

/** What a write job on the event loop gets: a step writer plus the Kysely transaction. */
export interface Writer extends StepWriter {
  readonly db: Transaction<DatabaseSchema>;
}

type Job = (
  | { work: (writer: Writer) => Promise<unknown>; command?: undefined }
  | { command: WriteCommand; work?: undefined }
) & {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

export interface WriteQueueOptions {
  /** Jobs committed together at most. */
  maxBatch?: number;
  /**
   * Least time between the starts of two commits while writes keep coming: under load, one
   * fsync per window instead of one per turn of the event loop. The first write after a quiet
   * spell commits at once.
   */
  commitWindowMs?: number;
  /** Sends a committed job's publication (on the bus). */
  publish?: (publication: Publication) => void;
  /**
   * A committed batch's publications are all sent: it took the pts after `after` up to `through`
   * (announced to the other nodes, so that they know when they have heard everything).
   */
  published?: (after: number, through: number) => void;
  /** How long a batch took to run and commit, in seconds (metrics). */
  onCommitted?: (seconds: number) => void;
  onPublishError?: (error: unknown) => void;
  /**
   * What was published for the pts after `after` up to `through`, read back from the log
   * (updates/replay.ts): what a write thread that died after its commit never answered.
   */
  readPublished?: (after: number, through: number) => Promise<Publication[]>;
  /** What `writer.now` reads (milliseconds since the epoch); the abuse script steps it. */
  clock?: () => number;
}

const DEFAULT_COMMIT_WINDOW_MS = 4;
const MAX_BATCHES_ON_THREAD = 2;

/**
 * Every write goes through here. Jobs that arrive while a commit is in flight are committed
 * together in one transaction — one fsync for many messages (group commit; see batch.ts for how
 * a failing job fails alone). A job is a closure run on the event loop, or a write command (data)
 * that on SQLite runs on the write thread (write-thread.ts). One batch commits at a time, so
 * pts increase in commit order and the two SQLite connections never wait for each other. A job
 * is answered only after the transaction holding it has committed and its publications are sent.
 */
export class WriteQueue {
  private pending: Job[] = [];
  private draining = false;
  private readonly maxBatch: number;
  private readonly commitWindowMs: number;
  private lastCommitAt = -Infinity;
  /** Command batches sent to the write thread and not yet answered, oldest first. */
  private readonly onThread: Promise<void>[] = [];
  /** The pts this queue's answered batches took, up to here (SQLite: one writing node). */
  private position: number;
  /** Republishing what a dead write thread committed; later batches publish after it. */
  private recovering: Promise<void> | undefined;
  private readonly recovered = new WeakMap<WriteThreadDied, Promise<void>>();

  constructor(
    private readonly database: Database,
    private readonly options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.commitWindowMs = options.commitWindowMs ?? DEFAULT_COMMIT_WINDOW_MS;
    this.position = database.writeThread?.startedAt ?? 0;
  }

  run<T>(work: (writer: Writer) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Runs a command the database's registry knows; `R` is what its handler answers. */
  runCommand<R>(command: WriteCommand): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.enqueue({ command, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Resolves once everything queued so far is committed or failed. */
  async idle(): Promise<void> {
    while (this.draining) await new Promise((r) => setImmediate(r));
  }

  private enqueue(job: Job): void {
    this.pending.push(job);
    if (!this.draining) {
      this.draining = true;
      void this.drain();
    }
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

  private async drain(): Promise<void> {
    const { writeThread } = this.database;
    while (this.pending.length > 0 || this.onThread.length > 0) {
      if (this.pending.length === 0) {
        await this.onThread[0];
        continue;
      }
      await this.untilWindowOpens();
      const batch = this.pending.splice(0, this.maxBatch);
      this.lastCommitAt = performance.now();
      if (!writeThread) {
        // Closures first, then the commands: on PostgreSQL these run as one set-based step.
        const ordered = [...batch.filter((job) => job.work), ...batch.filter((job) => job.command)];
        await this.commit(ordered, () => this.commitHereTogether(ordered));
        continue;
      }
      // Closures commit on the event loop's connection, commands on the thread's; jobs of one
      // batch were all in flight together, so their order between the two does not matter.
      const closures = batch.filter((job) => job.work);
      const commands = batch.filter((job) => job.command);
      if (closures.length > 0) {
        // Never two open transactions: the thread's would hold the lock this one waits for.
        await Promise.all(this.onThread);
        await this.commit(closures, () => this.commitHere(closures));
      }
      if (commands.length > 0) {
        const done = this.commit(commands, () =>
          writeThread.commit(
            commands.map((job) => job.command!),
            this.options.clock?.(),
          ),
        );
        this.onThread.push(done);
        void done.then(() => this.onThread.shift());
        // The next batch waits at the thread while this one commits, and is answered after it;
        // more would only make batches smaller.
        if (this.onThread.length >= MAX_BATCHES_ON_THREAD) await this.onThread[0];
      }
    }
    this.draining = false;
  }

  private async commit(
    batch: Job[],
    commitJobs: () => Promise<CommittedBatch | CommittedBatch[]>,
    retryIfThreadDies = true,
  ): Promise<void> {
    let committed: CommittedBatch[];
    const started = performance.now();
    try {
      committed = [await commitJobs()].flat();
      for (const { through } of committed) this.position = Math.max(this.position, through);
      this.options.onCommitted?.((performance.now() - started) / 1000);
    } catch (error) {
      if (error instanceof WriteThreadDied) {
        await this.recoverFrom(error);
        // Commands answer a repeat with what the first run stored (a send: by its clientMsgId),
        // so the batch runs again on the new thread: its callers get their answers.
        if (retryIfThreadDies) return this.commit(batch, commitJobs, false);
      }
      // The transaction itself failed: nothing in it was stored, so nothing is acknowledged.
      for (const job of batch) job.reject(error);
      return;
    }
    if (this.recovering) await this.recovering;
    const outcomes = committed.flatMap((c) => c.outcomes);
    for (const outcome of outcomes) {
      if (outcome.ok) for (const publication of outcome.publications) this.publish(publication);
    }
    for (const { after, through } of committed) {
      if (through > after) this.options.published?.(after, through);
    }
    batch.forEach((job, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  /**
   * The write thread died, maybe after committing batches it never answered: what they published
   * is read back from the log and published now, before anything committed after them. Once per
   * death, whichever of its failed batches asks.
   */
  private recoverFrom(died: WriteThreadDied): Promise<void> {
    let recovery = this.recovered.get(died);
    if (!recovery) {
      recovery = this.republish(died);
      this.recovered.set(died, recovery);
      const current = recovery.finally(() => {
        if (this.recovering === current) this.recovering = undefined;
      });
      this.recovering = current;
    }
    return recovery;
  }

  private async republish(died: WriteThreadDied): Promise<void> {
    try {
      const after = this.position;
      const through = await died.restartedAt;
      if (through <= after) return;
      const publications = (await this.options.readPublished?.(after, through)) ?? [];
      for (const publication of publications) this.publish(publication);
      this.position = through;
      this.options.published?.(after, through);
    } catch (error) {
      this.options.onPublishError?.(error);
    }
  }

  private publish(publication: Publication): void {
    try {
      this.options.publish?.(publication);
    } catch (error) {
      this.options.onPublishError?.(error);
    }
  }

  /**
   * A batch (closures, then commands) on the event loop's connection. When its commands are of one
   * kind with a set-based version (PostgreSQL; today every command is a send), they run as one
   * step: a few round trips per batch instead of several per command. If that step fails as a
   * whole, the commands are run again one by one, so only a bad one fails.
   */
  private async commitHereTogether(batch: Job[]): Promise<CommittedBatch | CommittedBatch[]> {
    const closures = batch.filter((job) => job.work);
    const commands = batch.filter((job) => job.command).map((job) => job.command!);
    const together = this.setBased(commands);
    if (!together) return this.commitHere(batch);
    const first = await this.commitHere([
      ...closures,
      { work: (w) => together(w, commands), resolve: () => {}, reject: () => {} },
    ]);
    const outcomes = first.outcomes;
    const step = outcomes.pop()!;
    if (!step.ok) {
      // The closures committed; the commands go again, each in a savepoint of its own.
      return [first, await this.commitHere(batch.filter((job) => job.command))];
    }
    const results = step.value as CommandOutcome[];
    // The step's publications, in pts order, all go out before the first answered command is.
    const firstOk = results.findIndex((result) => result.ok);
    outcomes.push(
      ...results.map((result, i): JobOutcome =>
        result.ok
          ? { ok: true, value: result.value, publications: i === firstOk ? step.publications : [] }
          : result,
      ),
    );
    return first;
  }

  /** The set-based version that runs all of `commands` as one step, if there is one. */
  private setBased(commands: readonly WriteCommand[]) {
    const [first] = commands;
    if (this.database.dialect !== 'postgres' || commands.length < 2 || !first) return undefined;
    if (commands.some((command) => command.kind !== first.kind)) return undefined;
    return this.database.registry.commands[first.kind]?.together;
  }

  /** A batch in a Kysely transaction on the event loop's connection. */
  private commitHere(batch: Job[]): Promise<CommittedBatch> {
    const { database } = this;
    return commitBatch(
      batch.map(
        (job) => (w: Writer) =>
          job.work ? job.work(w) : runCommand(database.registry, w, job.command!),
      ),
      {
        dialect: database.dialect,
        hooks: database.registry.hooks,
        begin: async () => {
          const trx = await database.db.startTransaction().execute();
          return {
            sql: database.runner(trx),
            commit: () => trx.commit().execute(),
            rollback: () => trx.rollback().execute(),
            trx,
          };
        },
        extend: (writer, transaction) => ({ ...writer, db: transaction.trx }),
        now: this.options.clock?.(),
      },
    );
  }
}
