// Acceptance 1 (Node): the official MLS test vectors for our suite, against ts-mls.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runVectorFile, VECTOR_FILES } from './index.js';
import { EXPECTED_ENTRIES, VECTOR_DIR } from './expected.js';

describe('MLS test vectors (Node)', () => {
  it('has a check for every shipped file', () => {
    expect([...VECTOR_FILES].sort()).toEqual(Object.keys(EXPECTED_ENTRIES).sort());
  });

  for (const file of VECTOR_FILES) {
    it(file, { timeout: 120_000 }, async () => {
      const entries: unknown = JSON.parse(
        await readFile(new URL(`${file}.json`, VECTOR_DIR), 'utf8'),
      );
      const result = await runVectorFile(file, entries);
      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(EXPECTED_ENTRIES[file]);
    });
  }

  // The checks can fail: one changed expected value in a copy of a file fails that entry.
  it.each([
    ['key-schedule', (e: Entry) => flip(e.epochs[2], 'epoch_authenticator')],
    ['crypto-basics', (e: Entry) => flip(e.sign_with_label, 'signature')],
    ['secret-tree', (e: Entry) => flip(e.leaves[0][0], 'application_nonce')],
    ['welcome', (e: Entry) => flip(e, 'signer_pub')],
    ['message-protection', (e: Entry) => flip(e, 'application')],
    ['tree-math', (e: Entry) => (e.parent[0] = e.parent[0] + 2)],
    ['treekem', (e: Entry) => flip(e.update_paths[0], 'commit_secret')],
    ['passive-client-handling-commit', (e: Entry) => flip(e.epochs[0], 'epoch_authenticator')],
    ['messages', (e: Entry) => (e.commit = `${e.commit}00`)],
  ])('a changed %s entry fails', { timeout: 60_000 }, async (file, change) => {
    const entries = JSON.parse(
      await readFile(new URL(`${file}.json`, VECTOR_DIR), 'utf8'),
    ) as Entry[];
    change(entries[0] as Entry);
    const result = await runVectorFile(file, entries);
    expect(result.failures.map((f) => f.index)).toEqual([0]);
    expect(result.passed).toBe(entries.length - 1);
  });
});

// Vector entries are loose JSON here, changed in place by the tests above.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Entry = any;

/** Changes the last hex digit of a field. */
function flip(holder: Record<string, string>, field: string): void {
  const value = holder[field] as string;
  holder[field] = value.slice(0, -1) + (value.endsWith('0') ? '1' : '0');
}
