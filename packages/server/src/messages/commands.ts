import type { CommandHandler } from '../db/commands.js';
import { sendManyOnPostgres } from './send-many.js';
import type { SendCommand } from './send-rules.js';
import { sendStep } from './send.js';

/** The messages domain's write commands (registered by write-registry.ts). */
export const messageCommands = {
  'message.send': {
    step: sendStep,
    together: sendManyOnPostgres,
  } satisfies CommandHandler<SendCommand>,
};
