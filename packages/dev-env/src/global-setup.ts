// Vitest globalSetup: one PostgreSQL for the whole test run. Test files get databases on it
// through createTestDatabase('postgres'); the URL travels in TOKKI_TEST_POSTGRES_URL, which
// the test workers inherit because they start after this runs. NATS suites start their own
// servers (they stop and restart them), so here NATS only gets its skip line.
import { natsSkipMessage, shouldTestNats } from './nats.js';
import { postgresSkipMessage, shouldTestPostgres, startPostgres } from './postgres.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (!shouldTestNats()) console.log(natsSkipMessage());
  if (!shouldTestPostgres()) {
    console.log(postgresSkipMessage());
    return undefined;
  }
  const started = performance.now();
  const server = await startPostgres();
  if (!process.env.TOKKI_TEST_POSTGRES_URL) {
    process.env.TOKKI_TEST_POSTGRES_URL = server.url;
    const ms = Math.round(performance.now() - started);
    console.log(`PostgreSQL for tests started in ${ms} ms at ${server.url}`);
  }
  return async () => {
    await server.stop();
  };
}
