/**
 * Entry point of a generator process, started by the coordinator (`link.ts`) with an IPC
 * channel. Argument: the generator's index. It exits when the coordinator disconnects.
 */
import { Fleet } from './fleet.js';
import type { CallName, FromGenerator, ToGenerator } from './protocol.js';

const send = (message: FromGenerator) => process.send!(message);

if (!process.send) {
  console.error('generator: start me through the bench coordinator (needs an IPC channel)');
  process.exit(2);
}

const fleet = new Fleet(Number(process.argv[2] ?? 0), (event) => send({ type: 'event', event }));

process.on('message', (message: ToGenerator) => {
  if (message.type !== 'call') return;
  fleet.handle(message.name as CallName, message.params as never).then(
    (result) => send({ type: 'result', id: message.id, result }),
    (error: unknown) =>
      send({ type: 'failure', id: message.id, message: (error as Error).stack ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
