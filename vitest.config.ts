import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, not a stale build.
    alias: {
      '@tokki/protocol': src('protocol'),
      // Subpaths before their package: aliases match by prefix.
      '@tokki/e2e/node': fileURLToPath(new URL('./packages/e2e/src/node.ts', import.meta.url)),
      '@tokki/e2e/testing': fileURLToPath(
        new URL('./packages/e2e/src/testing.ts', import.meta.url),
      ),
      '@tokki/e2e': src('e2e'),
      '@tokki/server': src('server'),
      // Before '@tokki/sdk', which would otherwise take it as a folder of the main entry.
      '@tokki/sdk/secret': fileURLToPath(
        new URL('./packages/sdk/src/secret/index.ts', import.meta.url),
      ),
      '@tokki/sdk': src('sdk'),
      '@tokki/dev-env': src('dev-env'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['./packages/dev-env/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start real servers and databases; two cores run two files at a time.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
