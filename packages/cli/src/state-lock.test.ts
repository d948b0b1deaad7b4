import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fileLock } from './state-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'tokki-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs one task at a time across holders of the same file, and releases it after', async () => {
  const path = join(dir, 'a.lock');
  const [first, second] = [fileLock(path), fileLock(path)];
  const events: string[] = [];
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const one = first(async () => {
    events.push('one in');
    await held;
    events.push('one out');
  });
  await expect.poll(() => events).toEqual(['one in']);
  const two = second(async () => {
    events.push('two in');
    return 2;
  });
  // The second waits for the first, however long it holds the lock.
  await expect.poll(() => existsSync(path)).toBe(true);
  expect(events).toEqual(['one in']);
  release();
  await one;
  expect(await two).toBe(2);
  expect(events).toEqual(['one in', 'one out', 'two in']);
  expect(existsSync(path)).toBe(false);
});

it('takes over a lock left by a process that died, and gives up on a live holder', async () => {
  const path = join(dir, 'b.lock');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  writeFileSync(path, dead.stdout.toString());
  expect(await fileLock(path)(() => Promise.resolve('ran'))).toBe('ran');

  writeFileSync(path, String(process.pid));
  await expect(fileLock(path, { timeoutMs: 100 })(() => Promise.resolve())).rejects.toThrow(
    /Another tokki process keeps .* locked/,
  );
});
