#!/usr/bin/env node
/**
 * `npm run bench [-- options]`: the load harness of issue #4. See `--help` and
 * docs/performance.md.
 */
import { parseOptions, USAGE } from './options.js';
import { writeResults } from './report/json.js';
import { markdownReport } from './report/markdown.js';
import { runBench } from './run.js';

const started = Date.now();
const log = (line: string) =>
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

try {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    process.exit(0);
  }
  log(`${options.mode} run: ${options.scenarios.join(', ')} on ${options.db}`);
  const results = await runBench(options, log);
  const written = await writeResults(options.outDir, results);
  console.log(`\n${markdownReport(results)}`);
  log(`wrote ${written.join(', ')}`);
  // Lost or failed means the numbers cannot be trusted: fail like a test would.
  process.exit(results.lost > 0 || results.failures.length > 0 ? 1 : 0);
} catch (error) {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exit(2);
}
