import { monitorEventLoopDelay } from 'node:perf_hooks';
import { monotonicMs } from '../stats/clock.js';
import type { GeneratorUsage } from './protocol.js';

/** Measures this process's CPU and event-loop delay from `start()` to `stop()`. */
export class UsageMeter {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 5 });
  private cpuAtStart = process.cpuUsage();
  private startedAt = monotonicMs();

  start(): void {
    this.cpuAtStart = process.cpuUsage();
    this.startedAt = monotonicMs();
    this.loopDelay.reset();
    this.loopDelay.enable();
  }

  stop(): GeneratorUsage {
    this.loopDelay.disable();
    const cpu = process.cpuUsage(this.cpuAtStart);
    const wallMs = Math.max(1, monotonicMs() - this.startedAt);
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return {
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
      loopDelayP99Ms: this.loopDelay.count ? ms(this.loopDelay.percentile(99)) : 0,
      loopDelayMaxMs: this.loopDelay.count ? ms(this.loopDelay.max) : 0,
    };
  }
}
