import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { ApiError } from '../errors.js';
import type { Metrics } from '../metrics.js';

/**
 * `GET /metrics` (Prometheus text format). Figures about load and users are for the operator: on
 * the public listener only with `metrics.token` as a bearer token, else only on the separate
 * `metrics.listen` address; with neither, nowhere.
 */
export function metricsRoute(
  app: FastifyInstance,
  metrics: Metrics,
  token: string | undefined,
): void {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (token !== undefined && !bearerMatches(request, token)) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError('UNAUTHENTICATED', 'Metrics need the metrics token as a bearer token.');
    }
    const { registry } = metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/** The listener of `metrics.listen`: `/metrics` and nothing else. */
export async function listenForMetrics(
  listen: NonNullable<ServerConfig['metrics']['listen']>,
  metrics: Metrics,
  token: string | undefined,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    const apiError = error instanceof ApiError ? error : new ApiError('INTERNAL', 'Failed.');
    return reply.status(apiError.status).send({ error: apiError.toBody() });
  });
  metricsRoute(app, metrics, token);
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`Cannot serve metrics on ${host}:${listen.port} (metrics.listen): ${code}.`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}

/** Compared as digests, in constant time: the token's length and bytes leak nothing. */
function bearerMatches(request: FastifyRequest, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}
