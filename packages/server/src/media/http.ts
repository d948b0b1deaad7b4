import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FilesTable } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { parseRange } from './range.js';
import {
  createTusUploads,
  FILE_ID_HEADER,
  type MediaHttpDeps,
  type TusUploads,
} from './uploads.js';

const UPLOADS_PATH = '/v1/uploads';

/**
 * `/v1/uploads` (tus 1.0, resumable) and `GET /v1/files/<id>` (downloads, with Range). Both live
 * outside `POST /v1/<method>` because their bodies are bytes, not JSON.
 */
export function mediaHttpRoutes(app: FastifyInstance, ctx: MediaHttpDeps): void {
  // Made on the first upload, so that a server nobody uploads to creates no directories.
  let uploads: TusUploads | undefined;
  const tus = () => (uploads ??= createTusUploads(ctx, UPLOADS_PATH));
  app.addHook('onClose', async () => uploads?.close());

  // tus reads the body itself, as a stream.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) =>
    done(null),
  );

  const handleTus = async (
    request: FastifyRequest<{ Params: { id?: string } }>,
    reply: FastifyReply,
  ) => {
    // Preflights carry no token; every other request is authenticated before tus sees it.
    if (request.method !== 'OPTIONS') {
      const principal = await ctx.authenticate(request);
      const { id } = request.params;
      if (request.method === 'HEAD' && id) {
        // A completed upload's partial file is gone; its file answers for it, so a client whose
        // last PATCH's answer was lost still learns that the upload is done, and its file.
        const file = await ctx.media.fileOfUpload(principal.userId, id);
        if (file) return completedHead(reply, file);
      }
      tus().principals.set(request.raw, principal);
    }
    reply.hijack();
    await tus().server.handle(request.raw, reply.raw);
  };
  const schema = { hide: true };
  app.route({ method: ['POST', 'OPTIONS'], url: UPLOADS_PATH, schema, handler: handleTus });
  app.route({
    method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'],
    url: `${UPLOADS_PATH}/:id`,
    schema,
    handler: handleTus,
  });

  app.get<{ Params: { id: string }; Querystring: { size?: string; t?: string } }>(
    '/v1/files/:id',
    {
      schema: {
        summary:
          'Download a file of one of your chats (Range supported); ?size=thumb for an image’s thumbnail. Authorization header, or ?t= from files.get.',
        tags: ['files'],
        security: [{ device: [] }],
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { size = 'full', t } = request.query;
      if (size !== 'full' && size !== 'thumb')
        throw new ApiError('INVALID_PARAMS', 'size is full or thumb.');
      let userId: string;
      if (request.headers.authorization !== undefined || t === undefined) {
        userId = (await ctx.authenticate(request)).userId;
      } else {
        const holder = ctx.media.userOfToken(id, t);
        if (!holder)
          throw new ApiError(
            'UNAUTHENTICATED',
            'This link is invalid or has expired; get a new one with files.get.',
          );
        userId = holder;
      }
      const download = await ctx.media.download(userId, id, size);
      const { file } = download;
      const etag = `"${download.sha256}"`;
      const ifRange = request.headers['if-range'];
      const range =
        ifRange === undefined || ifRange === etag
          ? parseRange(request.headers.range, download.size)
          : undefined;
      if (range === 'unsatisfiable') {
        return reply
          .status(416)
          .header('content-range', `bytes */${download.size}`)
          .send({ error: { code: 'BAD_REQUEST', message: 'Range not satisfiable.' } });
      }
      reply
        .header('accept-ranges', 'bytes')
        .header('etag', etag)
        // Members only, so no shared cache; the bytes under an id never change.
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', disposition(file, size))
        .type(download.mime);
      if (!range) {
        reply.header('content-length', download.size);
        return reply.send(await ctx.media.openBlob(download.sha256));
      }
      return reply
        .status(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${download.size}`)
        .header('content-length', range.end - range.start + 1)
        .send(await ctx.media.openBlob(download.sha256, range));
    },
  );
}

/** What HEAD says of an upload that completed: all bytes are there. */
function completedHead(reply: FastifyReply, file: FilesTable) {
  return reply
    .status(200)
    .header('tus-resumable', '1.0.0')
    .header('upload-offset', file.original_size)
    .header('upload-length', file.original_size)
    .header('cache-control', 'no-store')
    .header(FILE_ID_HEADER, file.id)
    .send();
}

/** Images open in place; anything else is saved, never rendered by the browser. */
function disposition(file: FilesTable, size: 'full' | 'thumb'): string {
  if (size === 'thumb') return 'inline';
  const type = file.kind === 'image' ? 'inline' : 'attachment';
  // RFC 6266: an ASCII fallback, then the UTF-8 name (Korean and Japanese names above all).
  const ascii = file.name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(file.name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
