import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the WAL is copied back into the database file. */
const INTERVAL_MS = 500;

// Runs in a worker thread with a connection of its own. PASSIVE never blocks the writer; the
// next commit after a complete checkpoint starts the WAL over from its beginning.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

/**
 * Checkpoints the SQLite WAL from a worker thread. SQLite would otherwise checkpoint inside a
 * commit every thousand pages, copying pages and fsyncing the database file on the thread that
 * serves every connection; with `wal_autocheckpoint = 0` on the writer, that work moves here.
 */
export function startCheckpointer(
  file: string,
  onError: (message: string) => void,
): () => Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, driver, intervalMs: INTERVAL_MS },
  });
  worker.on('message', (message: string) => onError(message));
  worker.on('error', (error) => onError(String(error)));
  worker.unref();
  return async () => {
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Kept alive until it has stopped, or a process with nothing else to do exits first.
    worker.ref();
    worker.postMessage('stop');
    await exited;
  };
}
