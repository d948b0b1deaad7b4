import { startTestServer, type TestServer } from '@tokki/dev-env';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.js';

describe('security headers', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ web: true });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the web app gets a CSP without inline script, no framing, a referrer and a permissions policy', async () => {
    for (const path of ['/', '/chats/some-route', '/healthz', '/v1/openapi.json']) {
      const response = await fetch(`${s.url}${path}`);
      expect(response.status, path).toBe(200);
      const csp = response.headers.get('content-security-policy')!;
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name!, values] as const;
        }),
      );
      expect(directives.get('script-src'), path).toEqual(["'self'"]);
      expect(directives.get('style-src'), path).toEqual(["'self'"]);
      expect(directives.get('default-src'), path).toEqual(["'self'"]);
      expect(directives.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(directives.get('object-src'), path).toEqual(["'none'"]);
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('permissions-policy'), path).toContain('camera=()');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      // Local mode is plain http: no HSTS.
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('errors get them too', async () => {
    const response = await fetch(`${s.url}/v1/no.such`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('the built page has no inline script or style for the CSP to refuse', async () => {
    const html = await (await fetch(`${s.url}/`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\//);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });
});

describe('HSTS', () => {
  it('is sent in production only', async () => {
    for (const production of [true, false]) {
      const app = Fastify();
      securityHeaders(app, { production });
      app.get('/', async () => 'ok');
      await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const address = app.server.address() as { port: number };
        const response = await fetch(`http://127.0.0.1:${address.port}/`);
        expect(response.headers.get('strict-transport-security')).toBe(
          production ? 'max-age=63072000; includeSubDomains' : null,
        );
      } finally {
        await app.close();
      }
    }
  });
});
