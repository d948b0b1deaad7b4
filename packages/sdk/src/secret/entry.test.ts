// The SDK's main entry stays free of MLS: browsers load `@tokki/sdk/secret` (and with it
// @tokki/e2e and ts-mls) only when a secret chat is opened, so the initial bundle does not grow.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The packages a module imports at load time, following its relative imports (not `import type`). */
function staticImports(entry: string): { packages: Set<string>; files: Set<string> } {
  const packages = new Set<string>();
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /^(?:import|export)\s+(type\s)?[^;]*?from\s+'([^']+)'/gms,
    )) {
      const [, typeOnly, from] = match;
      if (typeOnly || !from) continue;
      if (from.startsWith('.')) visit(resolve(dirname(file), from.replace(/\.js$/, '.ts')));
      else packages.add(from);
    }
  };
  visit(entry);
  return { packages, files };
}

it('the main entry imports neither @tokki/e2e nor ts-mls; the secret entry does', () => {
  const main = staticImports(resolve(SRC, 'index.ts'));
  expect([...main.packages]).not.toContain('@tokki/e2e');
  expect([...main.packages]).not.toContain('ts-mls');
  expect([...main.files].some((file) => file.endsWith('secret/client.ts'))).toBe(false);
  const secret = staticImports(resolve(SRC, 'secret/index.ts'));
  expect([...secret.packages]).toContain('@tokki/e2e');
});
