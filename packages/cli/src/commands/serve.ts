import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { ConfigInput, Mode } from '@tokki/server';

interface ServeOptions {
  config?: string;
  port?: string;
  host?: string;
  data?: string;
  db?: string;
  bus?: string;
  mode?: string;
}

/**
 * `tokki serve`: the server and the web app, on SQLite by default. Settings come from the flags,
 * then the `TOKKI_*` environment, then `--config FILE`, then the defaults (docs/operations.md).
 * The flags have no defaults of their own here, or they would hide the file and the environment.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('Run a Tokki server')
    .description(
      'Run a Tokki server (SQLite under --data unless --db names another database). Every ' +
        'setting can also come from TOKKI_* variables or --config FILE: see docs/operations.md.',
    )
    .option('--config <file>', 'settings file (JSON); flags and TOKKI_* variables override it')
    .option('--port <n>', 'port to listen on (default: 8080)')
    .option('--host <host>', 'address to listen on (default: 0.0.0.0)')
    .option('--data <dir>', 'data directory for the embedded database (default: ./data)')
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
      const { ConfigError, mergeSettings, readConfigFile, settingsFromEnv, startServer } =
        await import('@tokki/server');
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
        throw new ConfigError(`--port must be an integer from 0 to 65535, not "${options.port}".`);
      if (options.mode && options.mode !== 'local' && options.mode !== 'production') {
        throw new ConfigError(`--mode must be "local" or "production", not "${options.mode}".`);
      }
      const flags: ConfigInput = {
        port,
        host: options.host,
        dataDir: options.data,
        databaseUrl: options.db,
        busUrl: options.bus,
        mode: options.mode as Mode | undefined,
      };
      const input = mergeSettings(
        options.config ? readConfigFile(options.config) : {},
        settingsFromEnv(process.env),
        flags,
      );
      const server = await startServer({ ...input, webRoot: findWebApp() });
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
