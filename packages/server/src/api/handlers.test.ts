import { methodNames, type MethodName } from '@tokki/protocol';
import { startTestServer, type TestServer } from '@tokki/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routes } from '../rpc/route.js';
import { composeRoutes, domainRoutes } from './handlers.js';

describe('handlers', () => {
  let server: TestServer;
  let tables: Partial<Routes<MethodName>>[];
  beforeAll(async () => {
    server = await startTestServer();
    tables = domainRoutes(server.server.ctx);
  });
  afterAll(() => server?.close());

  it('has exactly one handler for every protocol method, in the domains’ routes', () => {
    for (const name of methodNames) {
      const owners = tables.filter((table) => Object.hasOwn(table, name));
      expect(owners.length, name).toBe(1);
    }
    expect(composeRoutes(tables).size).toBe(methodNames.length);
  });

  it('refuses a method handled twice, one not handled, and one the protocol lacks', () => {
    const [first, ...rest] = tables;
    const listed = Object.keys(first!)[0]!;
    const again = { [listed]: Object.values(first!)[0] } as Partial<Routes<MethodName>>;
    expect(() => composeRoutes([...tables, again])).toThrow(`Two handlers for ${listed}.`);
    expect(() => composeRoutes(rest)).toThrow(/^No handler for /);
    const unknown = { 'nothing.here': async () => ({}) } as Partial<Routes<MethodName>>;
    expect(() => composeRoutes([...tables, unknown])).toThrow(/nothing\.here/);
  });
});
