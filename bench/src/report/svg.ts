import type { DirectStep } from '../scenarios/direct.js';

export interface ChartOptions {
  /** Throughput target, drawn when it fits the x axis (20,000). */
  targetPerSec?: number;
  /** Latency target, drawn as a horizontal line (50 ms). */
  targetP99Ms?: number;
  title?: string;
}

const WIDTH = 760;
const HEIGHT = 440;
const MARGIN = { left: 70, right: 30, top: 50, bottom: 60 };

/**
 * Latency against throughput for the direct scenario: each step is a p50 and a p99 point at the
 * rate it delivered, labelled with the rate it was offered. Log scale for latency.
 */
export function directChart(steps: readonly DirectStep[], options: ChartOptions = {}): string {
  const points = steps
    .filter((step) => Number.isFinite(step.latency.p50) && Number.isFinite(step.latency.p99))
    .sort((a, b) => a.offeredPerSec - b.offeredPerSec);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;

  // Points sit at the delivered rate; the target joins the axis when it is not far off.
  const maxDelivered = Math.max(1, ...points.map((s) => s.deliveredPerSec));
  const target = options.targetPerSec;
  const showTarget = target !== undefined && target <= maxDelivered * 3;
  const maxX = niceCeiling(Math.max(maxDelivered, showTarget ? target : 0) * 1.08);
  const latencies = points.flatMap((s) => [s.latency.p50, s.latency.p99]);
  if (options.targetP99Ms) latencies.push(options.targetP99Ms);
  const minExp = Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...latencies))));
  const maxExp = Math.max(minExp + 1, Math.ceil(Math.log10(Math.max(...latencies, 1))));
  const x = (value: number) => MARGIN.left + (value / maxX) * plotW;
  const y = (ms: number) =>
    MARGIN.top +
    plotH -
    ((Math.log10(Math.max(ms, 10 ** minExp)) - minExp) / (maxExp - minExp)) * plotH;

  const parts: string[] = [];
  parts.push(
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">` +
      `${escape(options.title ?? 'Direct messages: latency vs throughput')}</text>`,
  );
  // Grid and axes.
  for (let exp = minExp; exp <= maxExp; exp++) {
    const value = 10 ** exp;
    parts.push(
      line(MARGIN.left, y(value), MARGIN.left + plotW, y(value), '#ddd'),
      text(MARGIN.left - 8, y(value) + 4, formatMs(value), 'end'),
    );
  }
  for (let i = 0; i <= 5; i++) {
    const value = (maxX / 5) * i;
    parts.push(
      line(x(value), MARGIN.top, x(value), MARGIN.top + plotH, '#eee'),
      text(x(value), MARGIN.top + plotH + 18, Math.round(value).toLocaleString('en'), 'middle'),
    );
  }
  parts.push(
    line(MARGIN.left, MARGIN.top + plotH, MARGIN.left + plotW, MARGIN.top + plotH, '#333'),
    line(MARGIN.left, MARGIN.top, MARGIN.left, MARGIN.top + plotH, '#333'),
    text(
      MARGIN.left + plotW / 2,
      HEIGHT - 14,
      'delivered msgs/s (labels: offered msgs/s)',
      'middle',
    ),
    `<text x="18" y="${MARGIN.top + plotH / 2}" text-anchor="middle" font-size="12" ` +
      `transform="rotate(-90 18 ${MARGIN.top + plotH / 2})">send → receipt latency (ms, log)</text>`,
  );
  // Targets.
  if (options.targetP99Ms) {
    const ty = y(options.targetP99Ms);
    parts.push(
      line(MARGIN.left, ty, MARGIN.left + plotW, ty, '#c0392b', '6 4'),
      text(
        MARGIN.left + plotW - 4,
        ty - 6,
        `p99 target ${options.targetP99Ms} ms`,
        'end',
        '#c0392b',
      ),
    );
  }
  if (options.targetPerSec) {
    if (showTarget) {
      const tx = x(options.targetPerSec);
      parts.push(
        line(tx, MARGIN.top, tx, MARGIN.top + plotH, '#27ae60', '6 4'),
        text(
          tx - 4,
          MARGIN.top + plotH - 8,
          `target ${options.targetPerSec.toLocaleString('en')}/s`,
          'end',
          '#27ae60',
        ),
      );
    } else {
      parts.push(
        text(
          MARGIN.left + plotW,
          MARGIN.top - 8,
          `throughput target ${options.targetPerSec.toLocaleString('en')}/s is off this scale →`,
          'end',
          '#27ae60',
        ),
      );
    }
  }
  // Series.
  const series = [
    { name: 'p50', color: '#2980b9', pick: (s: DirectStep) => s.latency.p50 },
    { name: 'p99', color: '#c0392b', pick: (s: DirectStep) => s.latency.p99 },
  ];
  for (const { color, pick } of series) {
    // The line follows the sweep; the step at 70 % of capacity stands alone.
    const path = points
      .filter((s) => s.kind === 'sweep')
      .map((s) => `${x(s.deliveredPerSec).toFixed(1)},${y(pick(s)).toFixed(1)}`);
    if (path.length > 1)
      parts.push(
        `<polyline points="${path.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
      );
    for (const s of points) {
      const shape = s.kind === 'target' ? 'rect' : 'circle';
      const cx = x(s.deliveredPerSec);
      const cy = y(pick(s));
      parts.push(
        shape === 'circle'
          ? `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${color}"/>`
          : `<rect x="${(cx - 4).toFixed(1)}" y="${(cy - 4).toFixed(1)}" width="8" height="8" fill="${color}"/>`,
      );
    }
  }
  // Offered rates as labels, skipping any that would overlap the one before.
  let lastLabel = { x: -Infinity, y: -Infinity };
  for (const s of points) {
    const lx = x(s.deliveredPerSec) + 6;
    const ly = y(s.latency.p99) - 8;
    if (Math.abs(lx - lastLabel.x) < 36 && Math.abs(ly - lastLabel.y) < 12) continue;
    lastLabel = { x: lx, y: ly };
    parts.push(text(lx, ly, s.offeredPerSec.toLocaleString('en'), 'start', '#555'));
  }
  // Legend.
  const legendX = MARGIN.left + 12;
  parts.push(
    `<circle cx="${legendX}" cy="${MARGIN.top + 10}" r="4" fill="#2980b9"/>`,
    text(legendX + 10, MARGIN.top + 14, 'p50', 'start'),
    `<circle cx="${legendX + 50}" cy="${MARGIN.top + 10}" r="4" fill="#c0392b"/>`,
    text(legendX + 60, MARGIN.top + 14, 'p99', 'start'),
    `<rect x="${legendX + 96}" y="${MARGIN.top + 6}" width="8" height="8" fill="#777"/>`,
    text(legendX + 110, MARGIN.top + 14, 'step at 70 % of capacity', 'start'),
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">\n  ${parts.join('\n  ')}\n</svg>\n`
  );
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, dash?: string) {
  const dashed = dash ? ` stroke-dasharray="${dash}"` : '';
  return `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}"${dashed}/>`;
}

function text(x: number, y: number, content: string, anchor: string, fill = '#333') {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" font-size="11" fill="${fill}">${escape(content)}</text>`;
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/** A round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * power).find((nice) => nice >= value)!;
}
