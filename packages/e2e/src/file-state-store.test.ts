import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileStateStore } from '@tokki/e2e/node';
import { isE2eError, type E2eErrorCode } from '@tokki/e2e';

let home: string;
let dir: string;
const plaintext = new TextEncoder().encode('group state: secret-marker-7f3a');

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tokki-state-'));
  dir = join(home, 'secret');
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('fileStateStore', () => {
  it('saves and loads back, in 0600 files in a 0700 directory, never in plaintext', async () => {
    const store = fileStateStore(dir, { name: 'device' });
    expect(await store.load()).toBeUndefined();
    await store.save(plaintext);
    expect(Buffer.from((await store.load()) as Uint8Array)).toEqual(Buffer.from(plaintext));
    // A new store over the same files (the next run of the CLI) reads it too.
    expect(
      Buffer.from((await fileStateStore(dir, { name: 'device' }).load()) as Uint8Array),
    ).toEqual(Buffer.from(plaintext));

    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'device.state'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'device.key'))).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['device.key', 'device.state']);
    const onDisk = await readFile(join(dir, 'device.state'));
    expect(onDisk.includes(Buffer.from('secret-marker-7f3a'))).toBe(false);
    expect(onDisk.subarray(0, 4).toString()).toBe('TKS1');
  });

  it('replaces the state whole, with a fresh nonce each time and no temp files left', async () => {
    const store = fileStateStore(dir);
    await store.save(plaintext);
    const first = await readFile(join(dir, 'state.state'));
    await store.save(plaintext);
    const second = await readFile(join(dir, 'state.state'));
    expect(second.equals(first)).toBe(false);
    const next = randomBytes(100_000);
    await store.save(next);
    expect(Buffer.from((await store.load()) as Uint8Array).equals(next)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['state.key', 'state.state']);
    await store.save(new Uint8Array(0));
    expect(await store.load()).toEqual(new Uint8Array(0));
  });

  it('clear deletes the state and its key; clearing nothing is fine', async () => {
    const store = fileStateStore(dir);
    await store.clear();
    await store.save(plaintext);
    await store.clear();
    expect(await store.load()).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
    await store.save(plaintext);
    expect(await store.load()).toEqual(plaintext);
  });

  it('keeps names apart: one blob per name, each under its own key', async () => {
    const a = fileStateStore(dir, { name: 'a' });
    const b = fileStateStore(dir, { name: 'b' });
    await a.save(plaintext);
    await b.save(new Uint8Array([1, 2, 3]));
    expect(await a.load()).toEqual(plaintext);
    expect(await b.load()).toEqual(new Uint8Array([1, 2, 3]));
    expect((await readFile(join(dir, 'a.key'))).equals(await readFile(join(dir, 'b.key')))).toBe(
      false,
    );
  });

  describe('refuses damaged or foreign files with a typed error, changing nothing', () => {
    async function saved(): Promise<{ state: Buffer; key: Buffer }> {
      await fileStateStore(dir).save(plaintext);
      return {
        state: await readFile(join(dir, 'state.state')),
        key: await readFile(join(dir, 'state.key')),
      };
    }
    async function expectRefused(code: E2eErrorCode): Promise<void> {
      const before = await Promise.all(
        ['state.state', 'state.key'].map((f) => readFile(join(dir, f)).catch(() => undefined)),
      );
      const error = await fileStateStore(dir)
        .load()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isE2eError(error, code), String(error)).toBe(true);
      const after = await Promise.all(
        ['state.state', 'state.key'].map((f) => readFile(join(dir, f)).catch(() => undefined)),
      );
      expect(after).toEqual(before);
    }

    it('a changed byte anywhere in the ciphertext or tag', async () => {
      const { state } = await saved();
      for (const index of [4, 16, state.length - 20, state.length - 1]) {
        const changed = Buffer.from(state);
        changed[index] = (changed[index] as number) ^ 0x01;
        await writeFile(join(dir, 'state.state'), changed);
        await expectRefused('TAMPERED');
      }
    });

    it('a truncated or foreign state file', async () => {
      const { state } = await saved();
      await writeFile(join(dir, 'state.state'), state.subarray(0, 20));
      await expectRefused('MALFORMED');
      await writeFile(join(dir, 'state.state'), Buffer.from('{"not":"a state"}-padding-padding'));
      await expectRefused('MALFORMED');
      await writeFile(join(dir, 'state.state'), state.subarray(0, state.length - 1));
      await expectRefused('TAMPERED');
    });

    it('the wrong key, a damaged key file or a missing key', async () => {
      await saved();
      await writeFile(join(dir, 'state.key'), randomBytes(32), { mode: 0o600 });
      await expectRefused('TAMPERED');
      await writeFile(join(dir, 'state.key'), randomBytes(31), { mode: 0o600 });
      await expectRefused('MALFORMED');
      await rm(join(dir, 'state.key'));
      await expectRefused('TAMPERED');
    });

    it("another name's state copied over this one", async () => {
      await saved();
      const other = fileStateStore(dir, { name: 'other' });
      await other.save(new TextEncoder().encode('other'));
      await copyFile(join(dir, 'other.state'), join(dir, 'state.state'));
      await copyFile(join(dir, 'other.key'), join(dir, 'state.key'));
      await expectRefused('TAMPERED');
    });
  });

  it('refuses a bad name and bytes that are not bytes', async () => {
    for (const name of ['', '../up', 'a/b', '.hidden', 'x'.repeat(65)]) {
      expect(() => fileStateStore(dir, { name })).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST' }),
      );
    }
    const store = fileStateStore(dir);
    await expect(store.save('text' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(await store.load()).toBeUndefined();
  });
});
