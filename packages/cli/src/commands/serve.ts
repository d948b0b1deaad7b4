import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { Mode } from '@tokki/server';

interface ServeOptions {
  port?: string;
  host: string;
  data: string;
  db?: string;
  bus?: string;
  mode?: string;
}

/** `tokki serve`: the server and (later) the web app, on SQLite by default. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('Run a Tokki server')
    .description('Run a Tokki server (SQLite under --data unless --db names another database)')
    .option('--port <n>', 'port to listen on (default: 8080)')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--data <dir>', 'data directory for the embedded database', './data')
    .option('--db <url>', 'database: sqlite:PATH or postgres://…')
    .option(
      '--bus <url>',
      'cluster bus: nats://host:port, to run as one of several nodes on one PostgreSQL (or TOKKI_BUS_URL)',
    )
    .option(
      '--mode <mode>',
      'local (default) or production; NODE_ENV=production also selects production',
    )
    .action(async (options: ServeOptions) => {
      // Loaded here rather than at the top so that client commands start without the server.
      const { DEFAULT_PORT, parseDatabaseUrl, startServer } = await import('@tokki/server');
      const port = Number(options.port ?? DEFAULT_PORT);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`Invalid port "${options.port}"`);
      if (options.mode && options.mode !== 'local' && options.mode !== 'production') {
        throw new Error(`Invalid mode "${options.mode}": use local or production`);
      }
      if (options.db) parseDatabaseUrl(options.db);
      const server = await startServer({
        port,
        host: options.host,
        dataDir: options.data,
        ...(options.db && { databaseUrl: options.db }),
        ...(options.bus && { busUrl: options.bus }),
        ...(options.mode && { mode: options.mode as Mode }),
        webRoot: findWebApp(),
        logLevel: process.env.TOKKI_LOG_LEVEL ?? 'info',
      });
      const { config } = server.ctx;
      const bus = config.busUrl ? `, bus ${config.busUrl}` : '';
      console.log(
        `Tokki is listening on ${server.url} (${config.mode} mode, ${server.ctx.database.dialect}${bus})` +
          (config.mode === 'local' ? '. Sign-in codes are printed in this log.' : ''),
      );
      const shutdown = () => {
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}

/** The built `@tokki/web` (its `dist`), when that package is installed. */
function findWebApp(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@tokki/web/package.json')), 'dist');
  } catch {
    return undefined;
  }
}
