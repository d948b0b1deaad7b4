import swagger from '@fastify/swagger';
import {
  ERROR_STATUS,
  Id,
  LIMITS,
  methods,
  PROFILE_PHOTO_TYPES,
  type ErrorCode,
  type MethodName,
} from '@tokki/protocol';
import { Value } from '@sinclair/typebox/value';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { invoke } from '../api/invoke.js';
import { trustFunction } from '../client-address.js';
import type { AppContext } from '../context.js';
import { ApiError, toApiError } from '../errors.js';
import { linkImageRoutes } from '../links/http.js';
import { mediaHttpRoutes } from '../media/http.js';
import { authenticate } from './auth.js';
import { healthRoutes } from './health.js';
import { securityHeaders } from './security-headers.js';
import { serveWebApp } from './web.js';

const ErrorResponse = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        message: { type: 'string' },
        retryAfter: { type: 'integer' },
        epoch: { type: 'integer' },
        deviceIds: { type: 'array', items: { type: 'string' } },
      },
      required: ['code', 'message'],
    },
  },
} as const;

/**
 * The HTTP API: `POST /v1/<method>` for every method in the protocol, plus the OpenAPI document.
 * Validation happens in `invoke`, shared with the WebSocket, so both report the same errors.
 */
export async function buildHttpApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: LIMITS.MAX_FRAME_BYTES,
    // request.ip: the client behind a trusted reverse proxy (the gateway uses the same rule).
    trustProxy: trustFunction(ctx.config.trustProxy),
    // Route schemas document the API; `invoke` does the checking, once for both transports.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  app.setValidatorCompiler(() => () => true);
  securityHeaders(app, { production: ctx.config.mode === 'production' });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tokki API',
        version: '1',
        description:
          'Every method is POST /v1/<method> with JSON params. The same methods run over the ' +
          'WebSocket at /v1/ws; see docs/protocol.md.',
      },
      components: {
        securitySchemes: { device: { type: 'http', scheme: 'bearer' } },
      },
    },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = fromHttpError(error);
    if (apiError.code === 'INTERNAL')
      ctx.logger.error({ err: error, url: request.url }, 'request failed');
    if (apiError.retryAfter !== undefined) reply.header('retry-after', String(apiError.retryAfter));
    return reply.status(apiError.status).send({ error: apiError.toBody() });
  });
  app.setNotFoundHandler((request, reply) => {
    const error = request.url.startsWith('/v1/')
      ? new ApiError('UNKNOWN_METHOD', `Unknown method or path ${request.method} ${request.url}.`)
      : new ApiError('NOT_FOUND', 'Not found.');
    return reply.status(error.status).send({ error: error.toBody() });
  });

  for (const name of Object.keys(methods) as MethodName[]) {
    const spec = methods[name];
    app.post(
      `/v1/${name}`,
      {
        schema: {
          summary: spec.summary,
          operationId: name,
          tags: [name.split('.')[0]!],
          body: spec.params,
          ...(spec.auth && { security: [{ device: [] }] }),
          response: { 200: spec.result, '4xx': ErrorResponse, '5xx': ErrorResponse },
        },
      },
      async (request) => {
        const principal = spec.auth ? await authenticate(ctx, request) : null;
        return invoke(ctx, name, { principal, ip: request.ip }, request.body);
      },
    );
  }

  profilePhotoRoutes(app, ctx);
  mediaHttpRoutes(app, {
    media: ctx.media,
    logger: ctx.logger,
    authenticate: (request) => authenticate(ctx, request),
  });
  linkImageRoutes(app, ctx.links);
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  healthRoutes(app, ctx);
  await serveWebApp(app, ctx.config.webRoot);
  return app;
}

/**
 * Profile pictures: uploaded as the raw image (not JSON, so not through `invoke`), served by
 * their random id to anyone who has it — an `<img src>` sends no token.
 */
function profilePhotoRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.addContentTypeParser(
    [...PROFILE_PHOTO_TYPES],
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );
  app.post(
    '/v1/profile/photo',
    {
      bodyLimit: LIMITS.PROFILE_PHOTO_MAX_BYTES,
      schema: {
        summary:
          'Set the profile picture: the body is the image (JPEG, PNG, WebP, GIF, HEIF, AVIF).',
        tags: ['profile'],
        security: [{ device: [] }],
      },
    },
    async (request) => {
      const principal = await authenticate(ctx, request);
      if (!Buffer.isBuffer(request.body) || request.body.length === 0)
        throw new ApiError(
          'INVALID_PARAMS',
          `Send the image itself as ${PROFILE_PHOTO_TYPES.join(', ')}.`,
        );
      return ctx.accounts.setPhoto(principal, request.body);
    },
  );
  app.get<{ Params: { id: string }; Querystring: { size?: string } }>(
    '/v1/photos/:id',
    {
      schema: {
        summary: 'A profile picture (JPEG); ?size=small for a thumbnail.',
        tags: ['profile'],
      },
    },
    async (request, reply) => {
      const { size = 'large' } = request.query;
      if (size !== 'large' && size !== 'small')
        throw new ApiError('INVALID_PARAMS', 'size is small or large.');
      const photo = Value.Check(Id, request.params.id)
        ? await ctx.accounts.photo(request.params.id, size)
        : undefined;
      if (!photo) throw new ApiError('NOT_FOUND', 'No such picture.');
      // A picture never changes under its id (a new one gets a new id), but a removed one must
      // stop being shown: no shared caches, and browsers keep it an hour, as chat files.
      return reply
        .type('image/jpeg')
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(photo);
    },
  );
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) as typed API errors. */
function fromHttpError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  const byStatus: Record<number, ErrorCode> = {
    400: 'BAD_REQUEST',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'BAD_REQUEST',
  };
  const code = error.statusCode ? byStatus[error.statusCode] : undefined;
  if (code)
    return new ApiError(
      code,
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'Body is not valid JSON.' : error.message,
    );
  return toApiError(error);
}
