import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import { LIMITS, type ErrorCode } from '@tokki/protocol';
import type { Principal } from '../rpc/route.js';
import { ApiError, toApiError } from '../errors.js';
import type { MediaService, UploadMetadata } from './service.js';

/** A partial upload not completed this long after it began is deleted. */
export const UPLOAD_EXPIRY_MS = 24 * 3600 * 1000;
const CLEANUP_INTERVAL_MS = 3600 * 1000;

/** The header a completed upload's last response names the new file in. */
export const FILE_ID_HEADER = 'Tokki-File-Id';

/** tus hooks see a web Request; the Node request under it is how they find the caller. */
type TusRequest = Parameters<
  NonNullable<ConstructorParameters<typeof Server>[0]['onIncomingRequest']>
>[0];

export interface TusUploads {
  server: Server;
  /** Who sent each request, set by the route before tus sees it. */
  principals: WeakMap<IncomingMessage, Principal>;
  close(): void;
}

/**
 * Resumable uploads (tus 1.0: creation, termination, expiration) at `/v1/uploads`. Partial
 * uploads are files under the media directory's `uploads/`; a completed one is handed to the
 * media service, which keeps what it should of it in the blob store, and is then deleted.
 */
/** What the media domain's HTTP routes need, handed over by http/app.ts. */
export interface MediaHttpDeps {
  media: MediaService;
  logger: Logger;
  /** The device behind the request's `Authorization: Bearer` token, or UNAUTHENTICATED. */
  authenticate(request: FastifyRequest): Promise<Principal>;
}

export function createTusUploads(ctx: MediaHttpDeps, path: string): TusUploads {
  const media = ctx.media;
  const datastore = new FileStore({
    directory: media.uploadsDir,
    expirationPeriodInMilliseconds: UPLOAD_EXPIRY_MS,
  });
  const principals = new WeakMap<IncomingMessage, Principal>();
  const callerOf = (req: TusRequest): Principal => {
    const node = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
    const principal = node && principals.get(node);
    // The route authenticates every request before tus sees it.
    if (!principal) throw new ApiError('UNAUTHENTICATED', 'Missing device token.');
    return principal;
  };

  const server = new Server({
    path,
    datastore,
    maxSize: LIMITS.FILE_MAX_BYTES,
    relativeLocation: true,
    // Same origin only, like the rest of the API.
    allowedOrigins: [],
    exposedHeaders: [FILE_ID_HEADER],
    async onIncomingRequest(req, uploadId) {
      if (req.method === 'POST') return;
      // An upload is its creator's: anyone else is told it does not exist.
      const upload = await datastore.getUpload(uploadId);
      if (upload.metadata?.userId !== callerOf(req).userId)
        throw new ApiError('NOT_FOUND', 'No such upload.');
    },
    async onUploadCreate(req, upload) {
      const metadata = await media.checkNewUpload(
        callerOf(req).userId,
        upload.sizeIsDeferred ? undefined : upload.size,
        upload.metadata ?? {},
      );
      return { metadata: { ...metadata } };
    },
    async onUploadFinish(_req, upload) {
      try {
        const file = await media.completeUpload(
          upload.id,
          upload.metadata as unknown as UploadMetadata,
          upload.offset,
        );
        return { headers: { [FILE_ID_HEADER]: file.id } };
      } finally {
        // Kept or refused, the partial upload has served its purpose.
        await datastore.remove(upload.id).catch((error: unknown) => {
          ctx.logger.warn({ err: error }, 'removing a completed upload failed');
        });
      }
    },
    onResponseError(_req, error) {
      return { status_code: statusOf(error), body: JSON.stringify({ error: toBody(ctx, error) }) };
    },
  });

  const cleanup = setInterval(() => {
    server
      .cleanUpExpiredUploads()
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'expiring uploads failed'));
  }, CLEANUP_INTERVAL_MS);
  cleanup.unref();
  return { server, principals, close: () => clearInterval(cleanup) };
}

/** tus's own errors carry a status and a text; they get the API's error shape too. */
const TUS_CODES: Record<number, ErrorCode> = {
  403: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
};

function isTusError(error: unknown): error is { status_code: number; body: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status_code?: unknown }).status_code === 'number' &&
    typeof (error as { body?: unknown }).body === 'string'
  );
}

function statusOf(error: unknown): number {
  if (error instanceof ApiError) return error.status;
  if (isTusError(error)) return error.status_code;
  return 500;
}

function toBody(ctx: MediaHttpDeps, error: unknown) {
  if (error instanceof ApiError) return error.toBody();
  if (isTusError(error) && error.status_code < 500) {
    const code = TUS_CODES[error.status_code] ?? 'BAD_REQUEST';
    return { code, message: error.body.trim() };
  }
  ctx.logger.error({ err: error }, 'upload failed');
  return toApiError(error).toBody();
}

export type { Upload };
