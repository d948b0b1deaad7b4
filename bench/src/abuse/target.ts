import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, type ConfigInput, type SmsProvider } from '@tokki/server';
import { sleep } from '../stats/limit.js';

/**
 * The server the abuse script tries: one it starts in this process, whose clock it steps (a day
 * passes in seconds), or one at a URL, where time passes for real and a run covers less.
 */
export interface AbuseTarget {
  url: string;
  /** Undefined for a server at a URL: its clock cannot be moved. */
  clock: SteppedClock | undefined;
  /** Sign-in codes the server handed to its SMS provider (only for a server started here). */
  smsSent: (() => number) | undefined;
  /** Lets `ms` of the server's time pass: steps the clock, or waits. */
  pass(ms: number): Promise<void>;
  /** The server's time, in milliseconds. */
  now(): number;
  close(): Promise<void>;
}

/** Real time plus an offset the script moves forward; the server's rate limits read it. */
export class SteppedClock {
  private offset = 0;
  readonly now = () => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** A fake SMS provider, named as such: it counts the codes it was given and sends nothing. */
class CountingFakeSms implements SmsProvider {
  readonly name = 'counting-fake';
  sent = 0;
  async sendCode(): Promise<void> {
    this.sent++;
  }
}

/**
 * `tokki serve`'s server in this process (local mode, a throwaway SQLite database) on a random
 * loopback port, with the default limits unless `config` says otherwise.
 */
export async function startAbuseTarget(config: ConfigInput = {}): Promise<AbuseTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tokki-abuse-'));
  const clock = new SteppedClock();
  const sms = new CountingFakeSms();
  const server = await startServer(
    {
      host: '127.0.0.1',
      port: 0,
      mode: 'local',
      dataDir,
      logLevel: 'silent',
      contactHashKey: randomBytes(32).toString('hex'),
      ...config,
    },
    { clock: clock.now, sms },
  );
  return {
    url: server.url,
    clock,
    smsSent: () => sms.sent,
    pass: async (ms) => clock.advance(ms),
    now: clock.now,
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A server someone else runs (local mode: the script signs in test numbers). */
export function remoteTarget(url: string): AbuseTarget {
  return {
    url: url.replace(/\/$/, ''),
    clock: undefined,
    smsSent: undefined,
    pass: (ms) => sleep(ms),
    now: Date.now,
    close: async () => {},
  };
}
