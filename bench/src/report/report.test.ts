import { describe, expect, it } from 'vitest';
import type { DirectStep } from '../scenarios/direct.js';
import { Histogram } from '../stats/histogram.js';
import { resultsJson } from './json.js';
import { markdownReport } from './markdown.js';
import { checkTargets, type BenchResults } from './results.js';
import { directChart } from './svg.js';

function step(offered: number, delivered: number, p99: number, kind: DirectStep['kind']) {
  const latency = new Histogram();
  latency.record(p99 / 4);
  latency.record(p99);
  return {
    kind,
    offeredPerSec: offered,
    ackedPerSec: delivered,
    deliveredPerSec: delivered,
    scheduled: offered,
    acked: delivered,
    delivered,
    errors: 0,
    outstanding: 0,
    latency: latency.summary(),
    ackLatency: latency.summary(),
    saturated: delivered < offered * 0.9,
    saturatedBy: delivered < offered * 0.9 ? ['throughput'] : [],
    othersPercent: null,
    contended: false,
    databaseCpuPercent: null,
    server: null,
    nodes: [null],
    busCpuPercent: null,
    coresBusyPercent: [100, 80],
    generators: [],
    errorSamples: [],
  } satisfies DirectStep;
}

function results(): BenchResults {
  const steps = [
    step(1_000, 1_000, 20, 'sweep'),
    step(2_000, 1_500, 900, 'sweep'),
    step(1_050, 1_050, 30, 'target'),
  ];
  const partial: Omit<BenchResults, 'targets'> = {
    schema: 1,
    mode: 'quick',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationSeconds: 60,
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      nodeVersion: 'v20.20.0',
      platform: 'Linux',
      memoryGiB: 24,
      openFileLimit: 20_000,
    },
    loadAverage: { atStart: 0.1, atEnd: 1.2 },
    cpus: { pinned: true, serverCpus: '0', loadCpus: '1', note: 'pinned' },
    generators: 2,
    sourceAddresses: ['127.0.0.2'],
    database: { dialect: 'sqlite', details: { filesystem: 'ext4 (/)' } },
    server: { cli: 'bin.js', git: { commit: 'abc1234', dirty: false }, profiled: false },
    nodes: 1,
    bus: null,
    seeding: { users: 10, seconds: 1, usersPerSec: 10 },
    direct: {
      pairs: 10,
      steps,
      ackedPerSec: 1_500,
      deliveredPerSec: 1_500,
      p99Ms: 30,
      p99AtPerSec: 1_050,
      kneeOfferedPerSec: 2_000,
      store: { checked: 100, missing: 0, duplicated: 0, wrongSeq: 0 },
      undelivered: 0,
      unexpected: 0,
      duplicateUpdates: 0,
      lost: 0,
      errors: 0,
    },
    catchup: {
      devices: 5,
      chatsPerDevice: 50,
      messagesPerDevice: 1_000,
      chats: 50,
      messagesSent: 1_000,
      waves: [
        {
          devices: 5,
          current: 0,
          failed: 5,
          errors: ['u1: timed out'],
          timeToCurrent: new Histogram().summary(),
          allCurrentMs: 120_000,
          updatesPerSec: 0,
          missingUpdates: 0,
          duplicateUpdates: 0,
          contention: {
            serverWaitingForCpuPercent: 40,
            othersPercent: 30,
            coresBusyPercent: [100, 90],
            contended: true,
          },
          generators: [],
        },
      ],
      p50Ms: NaN,
      p99Ms: NaN,
      missingUpdates: 0,
      duplicateUpdates: 0,
      failed: 5,
      store: { checked: 1_000, missing: 0, duplicated: 0, wrongSeq: 0 },
      lost: 0,
    },
    lost: 0,
    duplicates: 0,
    errors: 5,
    failures: [],
  };
  return { ...partial, targets: checkTargets(partial) };
}

describe('reports', () => {
  it('write the keys the issue asks for, with nothing measured as null', () => {
    const json = JSON.parse(resultsJson(results()));
    expect(json.direct.ackedPerSec).toBe(1_500);
    expect(json.direct.p99Ms).toBe(30);
    expect(json.catchup.p99Ms).toBeNull();
    expect(json.lost).toBe(0);
    expect(json.machine.cores).toBe(2);
  });

  it('judge targets honestly: a latency met at a lower rate than the target’s is not met', () => {
    const targets = results().targets;
    const p99 = targets.find((t) => t.metric.startsWith('p99 send'))!;
    expect(p99.met).toBe(false);
    expect(targets.find((t) => t.scenario === 'catchup')!.met).toBeNull();
    expect(targets.find((t) => t.metric === 'lost messages')!.met).toBe(true);
  });

  it('render Markdown tables and an SVG chart with a point per step and percentile', () => {
    const markdown = markdownReport(results());
    expect(markdown).toContain(
      '| direct | acked msgs/s (capacity) | 1,500/s | ≥ 20,000 | ❌ not met |',
    );
    expect(markdown).toContain('| 2,000 ⚠ |');
    expect(markdown).toContain('| 5 † | – | – | – |');
    expect(markdown).toContain('past the knee at 2,000/s offered (under 90 % of it acked');
    const svg = directChart(results().direct!.steps, { targetPerSec: 20_000, targetP99Ms: 50 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(2 * 2 + 2); // sweep points, plus the legend's two
    expect(svg.match(/<rect x=/g)).toHaveLength(2 + 1); // target points, plus the legend's one
    expect(svg).toContain('is off this scale');
    expect(svg).not.toContain('NaN');
  });

  it('list several nodes one by one, with the bus between them', () => {
    const usage = (cpuPercent: number) => ({
      cpuPercent,
      mainThreadCpuPercent: cpuPercent - 10,
      mainThreadRunQueuePercent: 5,
      voluntarySwitchesPerSec: 0,
      rssBytes: 0,
    });
    const base = results();
    const steps = base.direct!.steps.map((s) => ({
      ...s,
      server: usage(60),
      nodes: [usage(60), usage(55)],
      busCpuPercent: 12,
    }));
    const markdown = markdownReport({
      ...base,
      nodes: 2,
      bus: { version: 'nats-server: v2.9.10' },
      direct: { ...base.direct!, steps },
    });
    expect(markdown).toContain('2 nodes on NATS (nats-server: v2.9.10)');
    expect(markdown).toContain('| nodes CPU (main thread) | nodes waiting for a CPU |');
    expect(markdown).toContain('| 60 % (50 %) + 55 % (45 %) | 5 % / 5 % |');
    expect(markdown).toContain('| NATS CPU |');
    expect(markdown).toContain('| 12 % |');
  });
});
