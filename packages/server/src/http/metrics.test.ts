import { startTestServer, type TestServer } from '@tokki/dev-env';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';

const TOKEN = 'a-metrics-token-of-at-least-32-characters';

describe('/metrics is for the operator only', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('is not on the public listener by default', async () => {
    s = await startTestServer();
    const response = await fetch(`${s.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('tokki_connections');
    expect(s.server.metricsUrl).toBeUndefined();
  });

  it('is on the public listener only with its bearer token', async () => {
    s = await startTestServer({ config: { metrics: { token: TOKEN } } });
    const scrape = (authorization?: string) =>
      fetch(`${s!.url}/metrics`, { headers: authorization ? { authorization } : {} });

    const without = await scrape();
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await scrape(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await scrape(`Basic ${TOKEN}`)).status).toBe(401);
    expect((await scrape(`Bearer ${TOKEN.slice(1)}`)).status).toBe(401);

    const granted = await scrape(`Bearer ${TOKEN}`);
    expect(granted.status).toBe(200);
    expect(await granted.text()).toContain('tokki_connections');
  });

  it('is on its own listen address, and not on the public one', async () => {
    s = await startTestServer({ config: { metrics: { listen: '127.0.0.1:0' } } });
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
    const metricsUrl = s.server.metricsUrl!;
    expect(new URL(metricsUrl).port).not.toBe(new URL(s.url).port);
    const scraped = await fetch(`${metricsUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('tokki_connections');
    // Only /metrics there: not the API.
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/v1/auth.sendCode`, { method: 'POST' })).status).toBe(404);
  });

  it('asks for the token on its own listener too, when there is one', async () => {
    s = await startTestServer({ config: { metrics: { listen: '127.0.0.1:0', token: TOKEN } } });
    const url = `${s.server.metricsUrl!}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const headers = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(url, { headers })).status).toBe(200);
    expect((await fetch(`${s.url}/metrics`, { headers })).status).toBe(200);
  });

  it('refuses to start when its listen address is taken, saying which', async () => {
    s = await startTestServer({ config: { metrics: { listen: '127.0.0.1:0' } } });
    const taken = new URL(s.server.metricsUrl!).port;
    await expect(
      startTestServer({ config: { metrics: { listen: `127.0.0.1:${taken}` } } }),
    ).rejects.toThrow(`Cannot serve metrics on 127.0.0.1:${taken} (metrics.listen): EADDRINUSE.`);
    // The first server still answers.
    expect((await fetch(`${s.server.metricsUrl!}/metrics`)).status).toBe(200);
  });

  it('refuses a short token and a listen address that is not host:port', () => {
    expect(() => resolveConfig({ metrics: { token: 'short' } })).toThrow(
      'The metrics token must be at least 32 characters',
    );
    for (const listen of ['nowhere', 'host:99999', 'http://127.0.0.1:9464', '127.0.0.1:']) {
      expect(() => resolveConfig({ metrics: { listen } })).toThrow(
        'Invalid metrics listen address',
      );
    }
    expect(resolveConfig({ metrics: { listen: '[::1]:9464' } }).metrics.listen).toEqual({
      host: '::1',
      port: 9464,
    });
    expect(resolveConfig({ metrics: { listen: '9464' } }).metrics.listen).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
  });
});
