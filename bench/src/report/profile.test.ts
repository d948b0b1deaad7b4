import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeProfile } from './profile.js';

const server = 'file:///work/packages/server/dist';
const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

// root → commit (server) → executeQuery (kysely); root → onFrame (server); root → (idle)
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
    { id: 2, callFrame: frame('commit', `${server}/db/write-queue.js`, 9), children: [3] },
    { id: 3, callFrame: frame('executeQuery', 'file:///x/node_modules/kysely/dist/driver.js', 59) },
    { id: 4, callFrame: frame('onFrame', `${server}/gateway/session.js`, 87) },
    { id: 5, callFrame: frame('(idle)') },
  ],
  startTime: 1_000_000, // µs: 1,000 ms on the monotonic clock
  samples: [3, 3, 2, 4, 5, 3],
  timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000, 1_000], // samples at 1,001 … 1,006 ms
};

describe('summarizeProfile', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true }))));
  const write = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-profile-'));
    dirs.push(dir);
    const file = join(dir, 'server.cpuprofile');
    await writeFile(file, JSON.stringify(profile));
    return file;
  };

  it('adds up self time, time on the stack and areas', async () => {
    const summary = await summarizeProfile(await write());
    expect(summary.sampledMs).toBe(6);
    expect(summary.self[0]).toEqual({
      name: 'executeQuery kysely/dist/driver.js:60',
      ms: 3,
      percent: 50,
    });
    expect(summary.inclusive).toEqual([
      { name: 'commit server/dist/db/write-queue.js:10', ms: 4, percent: 66.7 },
      { name: 'onFrame server/dist/gateway/session.js:88', ms: 1, percent: 16.7 },
    ]);
    expect(summary.areas.map((area) => [area.name, area.ms])).toEqual([
      ['kysely', 3],
      ['@tokki/server', 2],
      ['(idle)', 1],
    ]);
  });

  it('keeps only the samples inside the windows', async () => {
    const summary = await summarizeProfile(await write(), {
      label: 'a step',
      spans: [{ fromMs: 1_002.5, toMs: 1_004 }],
    });
    expect(summary.window).toBe('a step');
    expect(summary.sampledMs).toBe(2);
    expect(summary.self.map((entry) => entry.name)).toEqual([
      'commit server/dist/db/write-queue.js:10',
      'onFrame server/dist/gateway/session.js:88',
    ]);
  });
});
