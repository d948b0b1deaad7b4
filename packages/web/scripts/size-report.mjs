/* eslint-disable no-console -- a command-line script reports on stdout */
// Prints the gzipped size of the JavaScript that index.html loads before the app can paint
// (the entry and its static imports) and of all JavaScript, and fails above the budget.
import { readFile, readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 150;
const dist = new URL('../dist/', import.meta.url);

const gzipKB = async (file) =>
  gzipSync(await readFile(new URL(file, dist)), { level: 9 }).length / 1024;

const html = await readFile(new URL('index.html', dist), 'utf8');
const entries = [...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g)].map(
  (m) => m[1],
);
const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map(
  (m) => m[1],
);
if (entries.length === 0) throw new Error('No module script in dist/index.html');

// Follow static imports (`import … from "./x.js"` and bare `import "./x.js"`), not import().
const initial = new Set();
const queue = [...entries, ...preloads];
while (queue.length) {
  const file = queue.shift();
  if (initial.has(file)) continue;
  initial.add(file);
  const code = await readFile(new URL(file, dist), 'utf8');
  const dir = file.slice(0, file.lastIndexOf('/') + 1);
  const staticImports = code.matchAll(
    /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g,
  );
  for (const [, spec] of staticImports) {
    if (!spec.startsWith('.')) continue;
    queue.push(new URL(spec, new URL(dir, 'file:///')).pathname.slice(1));
  }
}

const all = (await readdir(new URL('assets/', dist)))
  .filter((f) => f.endsWith('.js'))
  .map((f) => `assets/${f}`);
let initialKB = 0;
for (const file of initial) initialKB += await gzipKB(file);
let allKB = 0;
const rows = [];
for (const file of all) {
  const kb = await gzipKB(file);
  allKB += kb;
  rows.push([file, kb, initial.has(file)]);
}
rows.sort((a, b) => b[1] - a[1]);
for (const [file, kb, isInitial] of rows) {
  console.log(`${isInitial ? 'initial' : 'lazy   '}  ${kb.toFixed(1).padStart(7)} KB  ${file}`);
}
console.log(`Initial JavaScript: ${initialKB.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`);
console.log(`All JavaScript:     ${allKB.toFixed(1)} KB gzipped`);
if (initialKB > BUDGET_KB) {
  console.error(`Initial JavaScript is over the ${BUDGET_KB} KB budget.`);
  process.exit(1);
}
