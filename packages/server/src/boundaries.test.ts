import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CONFIG = fileURLToPath(new URL('../.dependency-cruiser.mjs', import.meta.url));
// A root devDependency; its CLI reads the TypeScript config that maps `.js` imports to sources.
const CLI = fileURLToPath(
  new URL('../../../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url),
);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The boundary rules' violations in the `src/` under `root`, as dependency-cruiser finds them. */
async function violations(root: URL): Promise<string[]> {
  const run = promisify(execFile)(
    process.execPath,
    [CLI, '--config', CONFIG, '--output-type', 'json', 'src'],
    { cwd: fileURLToPath(root), maxBuffer: 64 * 1024 * 1024 },
  );
  // It exits with the number of violations: the report is on stdout either way.
  const { stdout } = await run.catch((error: { stdout?: string }) => {
    if (!error.stdout) throw error;
    return { stdout: error.stdout };
  });
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('the server’s boundaries (docs/architecture.md)', () => {
  it('hold: shared rooms know no domain, no domain reads another’s store, no folder cycles', async () => {
    expect(await violations(new URL('..', import.meta.url))).toEqual([]);
  }, 120_000);

  it('fail on a tree that breaks each of them', async () => {
    expect(await violations(new URL('../test/boundaries/', import.meta.url))).toEqual([
      'no-folder-cycles: src/chats → src/messages',
      'no-folder-cycles: src/messages → src/chats',
      'no-foreign-store: src/chats/service.ts → src/messages/store.ts',
      'shared-knows-no-domain: src/db/queue.ts → src/messages/send.ts',
    ]);
  }, 120_000);
});
