import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that this summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  /** Microseconds on CLOCK_MONOTONIC, the clock of `monotonicMs` (× 1000). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** What was summarised: the whole run, or only the direct scenario's load steps. */
  window: string;
  sampledMs: number;
  /** Self time by where the code lives: a package, Tokki's server, Node's core, GC, idle. */
  areas: ProfileEntry[];
  /** Functions by self time. Native work (SQLite, fsync, socket writes) counts as its caller's. */
  self: ProfileEntry[];
  /** Tokki's own functions by time on the stack (their own and their callees'). */
  inclusive: ProfileEntry[];
}

/** A span of monotonic time, in milliseconds. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

/**
 * Top functions and areas of a CPU profile, optionally only over the given windows of time (the
 * profile's clock is the bench's monotonic clock, so steps can be cut out exactly).
 */
export async function summarizeProfile(
  file: string,
  windows?: { label: string; spans: readonly TimeWindow[] },
  top = 25,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let atUs = profile.startTime;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    atUs += us;
    const node = byId.get(id);
    if (!node || us <= 0) return;
    if (windows && !windows.spans.some((w) => atUs >= w.fromMs * 1000 && atUs <= w.toMs * 1000))
      return;
    totalUs += us;
    const { functionName, url } = node.callFrame;
    add(self, nameOf(node.callFrame), us);
    add(areas, areaOf(functionName, url), us);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.url.includes('/packages/')) onStack.add(nameOf(frame));
    }
    for (const name of onStack) add(inclusive, name, us);
  });
  const entries = (map: Map<string, number>, limit: number): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        percent: Math.round((us / Math.max(1, totalUs)) * 1000) / 10,
      }));
  return {
    file,
    window: windows?.label ?? 'the whole run',
    sampledMs: Math.round(totalUs / 1000),
    areas: entries(areas, 12),
    self: entries(self, top),
    inclusive: entries(inclusive, top),
  };
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function nameOf(frame: { functionName: string; url: string; lineNumber: number }): string {
  return `${frame.functionName || '(anonymous)'}${location(frame.url, frame.lineNumber)}`;
}

function location(url: string, line: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const short = /node_modules\/(.*)$/.exec(path)?.[1] ?? /packages\/(.*)$/.exec(path)?.[1] ?? path;
  return ` ${short}:${line + 1}`;
}

function areaOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const tokki = /packages\/([^/]+)\//.exec(url)?.[1];
  if (tokki) return `@tokki/${tokki}`;
  return 'other';
}
