import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { metricsRoute } from './metrics.js';

/** How long `/readyz` waits for the database before calling it unreachable. */
const DATABASE_CHECK_MS = 2000;

/**
 * For load balancers and orchestrators: `/healthz` says the process is alive; `/readyz` says it
 * can serve (its database answers and its bus is connected) — 503 with what is missing when not,
 * and ready again by itself once they are back. `/metrics` (Prometheus) is here only behind its
 * bearer token (`http/metrics.ts`).
 */
export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const [database, bus] = await Promise.all([databaseAnswers(ctx), ctx.bus.isReady()]);
    const checks = { database: database ? 'ok' : 'unreachable', bus: bus ? 'ok' : 'unreachable' };
    return reply.code(database && bus ? 200 : 503).send({ ready: database && bus, checks });
  });

  const { token } = ctx.config.metrics;
  if (token !== undefined) metricsRoute(app, ctx.metrics, token);
}

async function databaseAnswers(ctx: AppContext): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_CHECK_MS);
  });
  try {
    const ping = ctx.database.reader.get('select 1 as one', []).then((row) => row !== undefined);
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
