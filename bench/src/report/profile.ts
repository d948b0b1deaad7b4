import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that self time needs. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  selfPercent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Functions by self time. */
  functions: ProfileEntry[];
  /** Self time by where the code lives: a package, Tokki's server, Node's core, GC, idle. */
  areas: ProfileEntry[];
}

/** Top self-time functions and areas of a CPU profile. */
export async function summarizeProfile(file: string, top = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame || us <= 0) return;
    totalUs += us;
    const name = `${frame.functionName || '(anonymous)'}${location(frame.url, frame.lineNumber)}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame.functionName, frame.url);
    areas.set(area, (areas.get(area) ?? 0) + us);
  });
  const entries = (map: Map<string, number>, limit: number): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 1000),
        selfPercent: Math.round((us / totalUs) * 1000) / 10,
      }));
  return {
    file,
    totalMs: Math.round(totalUs / 1000),
    functions: entries(functions, top),
    areas: entries(areas, 15),
  };
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
