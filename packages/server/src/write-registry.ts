import type { WriteRegistry, WriteRegistrySource } from './db/commands.js';
import { messageCommands } from './messages/commands.js';
import { registerSearchFunctions } from './messages/search-document.js';
import { searchIndexHook } from './messages/search-index.js';

/**
 * What the domains register with the write path (db/ knows none of them): their write commands,
 * the hooks every batch runs, and what SQLite's writing connections need. context.ts hands it to
 * the database; the SQLite write thread imports this module for it.
 */
export const writeRegistry: WriteRegistry = {
  commands: { ...messageCommands },
  hooks: [searchIndexHook as WriteRegistry['hooks'][number]],
  prepareSqlite: registerSearchFunctions,
};

/** The registry and this module, for `openDatabase`. */
export const domainWrites: WriteRegistrySource = {
  registry: writeRegistry,
  module: new URL(import.meta.url),
};
