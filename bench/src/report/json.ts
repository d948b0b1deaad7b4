import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownReport } from './markdown.js';
import type { BenchResults } from './results.js';
import { directChart } from './svg.js';
import { TARGETS } from './results.js';

/** NaN (nothing measured) becomes null, as JSON has no NaN. */
export function resultsJson(results: BenchResults): string {
  return `${JSON.stringify(results, (_, value) => (Number.isNaN(value) ? null : value), 2)}\n`;
}

/**
 * Writes latest.json, latest.md and direct.svg into `dir`, plus a dated copy of the JSON so runs
 * can be compared. Returns the paths written.
 */
export async function writeResults(dir: string, results: BenchResults): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const files: [string, string][] = [
    ['latest.json', resultsJson(results)],
    [`${stamp}-${results.mode}-${results.database.dialect}.json`, resultsJson(results)],
    ['latest.md', markdownReport(results)],
  ];
  if (results.direct) {
    files.push([
      'direct.svg',
      directChart(results.direct.steps, {
        targetPerSec: TARGETS.directPerSec,
        targetP99Ms: TARGETS.directP99Ms,
        title: `Direct messages on ${results.database.dialect} (${results.mode} run): latency vs throughput`,
      }),
    ]);
  }
  const paths: string[] = [];
  for (const [name, content] of files) {
    const path = join(dir, name);
    await writeFile(path, content);
    paths.push(path);
  }
  return paths;
}
