import type { ServerConfig } from '../config.js';
import type { Namespace, Routes } from '../rpc/route.js';
import { SERVER_VERSION } from '../version.js';

/** What a client asks before signing in: which server this is and how it signs people in. */
export function serverInfoRoutes(config: ServerConfig): Routes<Namespace<'server'>> {
  return {
    'server.getInfo': async () => ({
      name: 'Tokki',
      version: SERVER_VERSION,
      mode: config.mode,
      testNumbers: config.testNumbers,
    }),
  };
}
