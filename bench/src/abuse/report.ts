import type { AbuseFigure } from './tries.js';

/** A Markdown table of what got through, for docs/operations.md. */
export function abuseTable(figures: readonly AbuseFigure[]): string {
  const rows = figures.map((f) => {
    const through =
      f.bytes === undefined ? String(f.gotThrough) : `${f.gotThrough} (${gib(f.bytes)})`;
    const minute = f.mostInAMinute === undefined ? '' : String(f.mostInAMinute);
    return `| ${f.abuse} | ${f.tried} | ${through} | ${span(f.spanMs)} | ${minute} | ${f.note ?? ''} |`;
  });
  return [
    '| abuse | tries | got through | over | most in any minute | note |',
    '| ----- | ----- | ----------- | ---- | ------------------ | ---- |',
    ...rows,
  ].join('\n');
}

function span(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${(ms / 1000).toFixed(0)} s`;
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
