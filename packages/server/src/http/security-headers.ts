import type { FastifyInstance } from 'fastify';

/**
 * What the browser may do with the web app: scripts, styles and everything else from this origin
 * only, never inline (the build has no inline script or style: packages/web/index.html), no
 * framing, no plugins. Images may also be `blob:` (a photo being uploaded is shown from memory).
 * Link-preview images come from this origin too (links/, ADR 004), so no third-party host is
 * needed anywhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Features the app never uses, turned off for it and anything it might embed. */
export const PERMISSIONS_POLICY = [
  'camera=()',
  'microphone=()',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'midi=()',
  'display-capture=()',
].join(', ');

/** Two years, as the HSTS preload list asks. */
const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Security headers on every answer. A route that sets its own Content-Security-Policy (file
 * downloads: `default-src 'none'; sandbox`) keeps it. HSTS only in production, which is reached
 * over TLS (deploy/): a local server is plain http on a name that may later serve something else.
 */
export function securityHeaders(app: FastifyInstance, options: { production: boolean }): void {
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (options.production) reply.header('strict-transport-security', HSTS);
  });
}
