import type { Message } from '@tokki/protocol';
import type { StepWriter } from './db/batch.js';
import { sendStep, type SendCommand } from './messages/send.js';
import { sendManyOnPostgres } from './messages/send-many.js';

/**
 * Writes expressed as data rather than closures, so that a batch of them can run on the SQLite
 * write thread (see db/write-thread.ts) as well as on the event loop. The hot path — sending —
 * is one; others stay closures until they need the same.
 */
export type WriteCommand = SendCommand;

/** What each command answers. */
interface CommandResults {
  'message.send': Message;
}

export type CommandResult<C extends WriteCommand> = CommandResults[C['kind']];

export function runCommand(w: StepWriter, command: WriteCommand): Promise<unknown> {
  switch (command.kind) {
    case 'message.send':
      return sendStep(w, command);
  }
}

/** Per command, in order: its answer, or why it failed alone. */
export type CommandOutcomes = ({ ok: true; value: unknown } | { ok: false; error: unknown })[];

/**
 * Several commands as one step, in one transaction on PostgreSQL: each kind's set-based version
 * (today every command is a send). Results as if each had run on its own, in order.
 */
export function runCommandsTogether(
  w: StepWriter,
  commands: readonly WriteCommand[],
): Promise<CommandOutcomes> {
  return sendManyOnPostgres(w, commands);
}
