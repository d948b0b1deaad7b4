import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import type { LinksService } from './service.js';

/**
 * `GET /v1/link-images/<id>?t=…`: a link preview's image, fetched and re-encoded by the server
 * (ADR 004). The token comes with the preview (`links.preview`), so `<img src>` needs no header.
 */
export function linkImageRoutes(app: FastifyInstance, links: LinksService): void {
  app.get<{ Params: { id: string }; Querystring: { t?: string } }>(
    '/v1/link-images/:id',
    {
      schema: {
        summary: 'The image of a link preview, as links.preview names it (?t= comes with it).',
        tags: ['links'],
      },
    },
    async (request, reply) => {
      const { t } = request.query;
      if (t === undefined)
        throw new ApiError('UNAUTHENTICATED', 'Use the image URL that links.preview gives.');
      const image = await links.image(request.params.id, t);
      return (
        reply
          .type(image.mime)
          // The bytes under an id never change; the token in the URL is the reader's own.
          .header('cache-control', 'private, max-age=86400, immutable')
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('content-disposition', 'inline')
          .send(image.data)
      );
    },
  );
}
