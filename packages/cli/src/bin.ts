#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerServe } from './commands/serve.js';
import { registerClientCommands } from './commands/client.js';
import { reportError } from './output.js';

const program = new Command('tokki')
  .description('Tokki (토끼): run a server, or use one from scripts')
  .showHelpAfterError()
  .exitOverride();

program.commandsGroup('Server:');
registerServe(program);
registerClientCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  reportError(error);
  process.exit(1);
}
