import type { FastifyInstance } from 'fastify';
import { resolveConfig, type ConfigInput } from './config.js';
import { handlersOf } from './api/handlers.js';
import { createContext, type AppContext, type ContextOverrides } from './context.js';
import { Gateway } from './gateway/gateway.js';
import { buildHttpApp } from './http/app.js';
import { listenForMetrics } from './http/metrics.js';
import { pruneRateLimits } from './rate-limit/rate-limit.js';

const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** How often secret messages past their TTL are purged: a message outlives it by at most this. */
const SECRET_SWEEP_INTERVAL_MS = 60 * 1000;

export interface TokkiServer extends AsyncDisposable {
  ctx: AppContext;
  http: FastifyInstance;
  gateway: Gateway;
  /** `http://host:port` the server listens on. */
  url: string;
  /** `http://host:port` of the separate `/metrics` listener, when `metrics.listen` is set. */
  metricsUrl: string | undefined;
  port: number;
  /** What the hourly pruning does, now: old updates, expired sign-in codes and rate limits. */
  prune(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the database, migrates it, and serves HTTP and WebSocket on one port. */
export async function startServer(
  input: ConfigInput = {},
  overrides: ContextOverrides = {},
): Promise<TokkiServer> {
  const config = resolveConfig(input);
  const ctx = await createContext(config, overrides);
  // A method with no handler, or with two, stops the server here rather than at its first call.
  handlersOf(ctx);
  const http = await buildHttpApp(ctx);
  const gateway = new Gateway(ctx);
  gateway.attach(http.server);
  let metricsListener: Awaited<ReturnType<typeof listenForMetrics>> | undefined;
  try {
    await http.listen({ host: config.host, port: config.port });
    const { listen, token } = config.metrics;
    if (listen) metricsListener = await listenForMetrics(listen, ctx.metrics, token);
  } catch (error) {
    await gateway.close();
    await http.close();
    await ctx.close();
    throw error;
  }
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  const prune = async () => {
    await ctx.writes
      .run((w) => ctx.updates.prune(w, w.now - config.updateRetentionSeconds * 1000))
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'pruning updates failed'));
    await ctx.writes
      .run(async (w) => {
        await ctx.accounts.pruneExpiredCodes(w);
        await pruneRateLimits(w);
      })
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'pruning sign-in rows failed'));
  };
  const collectMedia = () =>
    ctx.media
      .collect()
      .then((collected) => ctx.logger.info(collected, 'media collected'))
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'collecting media failed'));
  // Fire and forget: each logs its own failure, and the next tick tries again.
  const pruner = setInterval(() => {
    void prune();
    void collectMedia();
  }, PRUNE_INTERVAL_MS);
  pruner.unref();
  const secretSweeper = setInterval(() => {
    ctx.secret
      .purgeExpired()
      .catch((error: unknown) =>
        ctx.logger.error({ err: error }, 'purging secret messages failed'),
      );
  }, SECRET_SWEEP_INTERVAL_MS);
  secretSweeper.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(pruner);
      clearInterval(secretSweeper);
      await metricsListener?.close();
      await gateway.close();
      await drainHttp(http);
      await ctx.close();
    })());

  ctx.logger.info(
    { mode: config.mode, port, database: ctx.database.dialect },
    'Tokki is listening',
  );
  return {
    ctx,
    http,
    gateway,
    url: `http://${shownHost}:${port}`,
    metricsUrl: metricsListener?.url,
    port,
    prune,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Stops taking requests and waits for those in flight to be answered (their writes acknowledged).
 * A kept-alive connection is closed as soon as it is idle — not only those idle when closing
 * began, or a client that was mid-request would hold the node up for the keep-alive timeout.
 */
async function drainHttp(http: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => http.server.closeIdleConnections(), 50);
  try {
    await http.close();
  } finally {
    clearInterval(sweep);
  }
}
