// The SQLite write thread (see write-thread.ts): owns a write connection and commits batches of
// write commands, so that the event loop serves sockets while SQLite writes pages and fsyncs.
import { parentPort, workerData } from 'node:worker_threads';
import { commitBatch, type BatchTransaction, type StepWriter } from './batch.js';
import { runCommand, type WriteCommand, type WriteRegistry } from './commands.js';
import { sqliteRunner } from './sql-runner.js';
import { openSqliteWriter } from './sqlite.js';
import {
  toWireError,
  toWireOutcome,
  type WriteThreadData,
  type WriteThreadReady,
  type WriteThreadReply,
  type WriteThreadRequest,
} from './write-thread-wire.js';

/**
 * How often the thread checkpoints between two batches. The checkpoint thread copies the WAL into
 * the database as it grows, but under steady writes it never catches up with the last frame, so
 * SQLite never starts the WAL over: it grew to 6.5 GB in a 2-minute benchmark, and every page
 * lookup walked its index. Here, between two batches, nothing is written while the checkpoint
 * runs, so it completes (unless a reader still needs old frames) and the next commit starts the
 * WAL over. Most frames were copied by the checkpoint thread already: it takes a few milliseconds.
 */
const CHECKPOINT_INTERVAL_MS = 1000;

const port = parentPort!;
const data = workerData as WriteThreadData;
const registry: WriteRegistry = data.registry
  ? ((await import(data.registry)) as { writeRegistry: WriteRegistry }).writeRegistry
  : { commands: {}, hooks: [] };
const sqlite = openSqliteWriter(data.file, registry.prepareSqlite);
const sql = sqliteRunner(sqlite);
const transaction: BatchTransaction = {
  sql,
  commit: async () => void sqlite.prepare('commit').run(),
  rollback: async () => void sqlite.prepare('rollback').run(),
};
const begin = async () => {
  sqlite.prepare('begin').run();
  return transaction;
};

let queue = Promise.resolve();
let exitAfterNextCommit = false;
// One batch at a time, in the order they came; closing waits for them.
port.on('message', (request: WriteThreadRequest | 'close' | 'exit-after-next-commit') => {
  if (request === 'exit-after-next-commit') {
    exitAfterNextCommit = true;
    return;
  }
  queue = queue.then(
    request === 'close'
      ? () => {
          sqlite.close();
          port.close();
        }
      : () => commit(request.id, request.commands, request.now).then(keepWalSmall),
  );
});
// Where the log is before this thread commits anything: what a thread that died before it
// committed and never answered lies between the last answer and here (write-queue.ts).
const counter = sqlite.prepare(`select value from counters where name = 'pts'`).get() as {
  value: number;
};
port.postMessage({ ready: true, pts: Number(counter.value) } satisfies WriteThreadReady);

async function commit(id: number, commands: WriteCommand[], now?: number): Promise<void> {
  let reply: WriteThreadReply;
  try {
    const { outcomes, after, through } = await commitBatch(
      commands.map((command) => (w: StepWriter) => runCommand(registry, w, command)),
      { dialect: 'sqlite', hooks: registry.hooks, begin, extend: (writer) => writer, now },
    );
    reply = { id, outcomes: outcomes.map(toWireOutcome), after, through };
    // For tests: the thread dies between its commit and its answer.
    if (exitAfterNextCommit) process.exit(1);
  } catch (error) {
    reply = { id, failed: toWireError(error) };
  }
  port.postMessage(reply);
}

let lastCheckpointAt = performance.now();

function keepWalSmall(): void {
  if (performance.now() - lastCheckpointAt < CHECKPOINT_INTERVAL_MS) return;
  const [result] = sqlite.raw.pragma('wal_checkpoint(PASSIVE)') as Checkpoint[];
  // Busy (the checkpoint thread is at it) or held back by a reader: try again after the next batch.
  if (result && result.busy === 0 && result.log === result.checkpointed) {
    lastCheckpointAt = performance.now();
  }
}

interface Checkpoint {
  busy: number;
  log: number;
  checkpointed: number;
}
