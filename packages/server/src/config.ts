import { join } from 'node:path';

export type Mode = 'local' | 'production';

export interface RateLimit {
  max: number;
  windowSeconds: number;
}

export interface ServerConfig {
  mode: Mode;
  host: string;
  port: number;
  /** `sqlite:PATH` or `postgres://…`. */
  databaseUrl: string;
  /** `console` prints codes to the log (local mode only). */
  smsProvider: 'console';
  rateLimits: {
    codeRequestsPerPhone: RateLimit;
    codeRequestsPerIp: RateLimit;
  };
  /** Updates older than this are pruned; devices further behind are told to reload. */
  updateRetentionSeconds: number;
  /** A device token unused for this long expires (Telegram's default: six months). */
  deviceIdleTimeoutSeconds: number;
  /**
   * Memory for the newest updates, from which catch-up reads instead of the database; 0 turns it
   * off. One node only: a cluster must turn it off or feed it in pts order (docs/adr/001).
   */
  recentUpdatesBytes: number;
  /** The built web app (`packages/web/dist`), served at `/`; none when undefined. */
  webRoot: string | undefined;
  logLevel: string;
}

export interface ConfigInput {
  mode?: Mode;
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  smsProvider?: string;
  rateLimits?: Partial<ServerConfig['rateLimits']>;
  updateRetentionSeconds?: number;
  deviceIdleTimeoutSeconds?: number;
  recentUpdatesBytes?: number;
  webRoot?: string;
  logLevel?: string;
}

export const DEFAULT_PORT = 8080;

/** Fills defaults and refuses combinations that would be unsafe to run. */
export function resolveConfig(input: ConfigInput = {}): ServerConfig {
  const mode: Mode = input.mode ?? (process.env.NODE_ENV === 'production' ? 'production' : 'local');
  const smsProvider = input.smsProvider ?? 'console';
  if (smsProvider !== 'console') {
    throw new Error(`Unknown SMS provider "${smsProvider}". Available: console.`);
  }
  if (mode === 'production' && smsProvider === 'console') {
    throw new Error(
      'Production mode needs a real SMS provider; "console" only prints codes to the log. ' +
        'Run in local mode (without --mode production / NODE_ENV=production) to try Tokki.',
    );
  }
  const dataDir = input.dataDir ?? './data';
  return {
    mode,
    host: input.host ?? '0.0.0.0',
    port: input.port ?? DEFAULT_PORT,
    databaseUrl: input.databaseUrl ?? `sqlite:${join(dataDir, 'tokki.db')}`,
    smsProvider,
    rateLimits: {
      codeRequestsPerPhone: { max: 5, windowSeconds: 3600 },
      codeRequestsPerIp: { max: 30, windowSeconds: 3600 },
      ...input.rateLimits,
    },
    updateRetentionSeconds: input.updateRetentionSeconds ?? 30 * 24 * 3600,
    deviceIdleTimeoutSeconds: input.deviceIdleTimeoutSeconds ?? 183 * 24 * 3600,
    recentUpdatesBytes: input.recentUpdatesBytes ?? 64 * 1024 * 1024,
    webRoot: input.webRoot,
    logLevel: input.logLevel ?? 'info',
  };
}
