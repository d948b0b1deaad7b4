// The SQLite write thread (see write-thread.ts): owns a write connection and commits batches of
// write commands, so that the event loop serves sockets while SQLite writes pages and fsyncs.
import { parentPort, workerData } from 'node:worker_threads';
import { runCommand, type WriteCommand } from '../write-commands.js';
import { commitBatch, type BatchTransaction, type StepWriter } from './batch.js';
import { sqliteRunner } from './sql-runner.js';
import { openSqliteWriter } from './sqlite.js';
import {
  toWireError,
  toWireOutcome,
  type WriteThreadReply,
  type WriteThreadRequest,
} from './write-thread-wire.js';

const port = parentPort!;
const sqlite = openSqliteWriter((workerData as { file: string }).file);
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

port.on('message', (request: WriteThreadRequest | 'close') => {
  if (request === 'close') {
    sqlite.close();
    port.close();
    return;
  }
  void commit(request.id, request.commands);
});
port.postMessage({ ready: true });

async function commit(id: number, commands: WriteCommand[]): Promise<void> {
  let reply: WriteThreadReply;
  try {
    const outcomes = await commitBatch(
      commands.map((command) => (w: StepWriter) => runCommand(w, command)),
      { dialect: 'sqlite', begin, extend: (writer) => writer },
    );
    reply = { id, outcomes: outcomes.map(toWireOutcome) };
  } catch (error) {
    reply = { id, failed: toWireError(error) };
  }
  port.postMessage(reply);
}
