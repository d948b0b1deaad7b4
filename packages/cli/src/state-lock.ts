import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './output.js';

/**
 * A lock between `tokki` processes on one file (a profile's secret state): `tokki secret listen`
 * and a `tokki secret send` beside it must not both write the MLS state, or one would write back
 * a ratchet the other moved on. The lock is a file created exclusively, holding the owner's pid;
 * one left by a process that died is taken over.
 */
export function fileLock(path: string, options: { timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return async <T>(task: () => Promise<T>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const handle = await open(path, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await heldByTheDead(path)) {
          await unlink(path).catch(() => {});
          continue;
        }
        if (Date.now() > deadline) {
          throw new CliError(`Another tokki process keeps ${path} locked; try again later.`);
        }
        // Operations hold it for a moment (one network round trip or a few).
        await sleep(25);
      }
    }
    try {
      return await task();
    } finally {
      await unlink(path).catch(() => {});
    }
  };
}

async function heldByTheDead(path: string): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(await readFile(path, 'utf8'));
  } catch {
    return false; // just released, or being written: try again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
