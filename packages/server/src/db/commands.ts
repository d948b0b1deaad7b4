import type BetterSqlite3 from 'better-sqlite3';
import type { Dialect } from './database.js';
import type { StepWriter } from './batch.js';
import type { SqlRunner } from './sql-runner.js';

/**
 * A write expressed as data rather than a closure, so that a batch of them can run on the SQLite
 * write thread (write-thread.ts) as well as on the event loop. Each domain owns its commands;
 * context.ts registers them (write-registry.ts), and db/ runs them without knowing any.
 */
export interface WriteCommand {
  readonly kind: string;
}

/** One command's answer, or why it failed alone. */
export type CommandOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface CommandHandler<C extends WriteCommand = WriteCommand> {
  /**
   * Runs one command in the batch's transaction. Throws `Refused` (batch.ts) for a command that
   * fails before it has written anything, so the rest of its batch goes on. A command may run
   * again after its first run committed (the write thread died before answering, and the queue
   * sends the batch again): a repeat must answer what the first run stored, writing nothing.
   */
  step(w: StepWriter, command: C): Promise<unknown>;
  /**
   * PostgreSQL only, optional: several commands of this kind as one set-based step, with the
   * outcomes `step` would have given each, in order.
   */
  together?(w: StepWriter, commands: readonly C[]): Promise<CommandOutcome[]>;
}

/**
 * Something every batch does besides its jobs, in its transaction: `begin` before the first job,
 * `beforeCommit` after the last (search indexes the batch's new messages this way).
 */
export interface BatchHook<S = unknown> {
  begin(sql: SqlRunner, dialect: Dialect): Promise<S>;
  beforeCommit(sql: SqlRunner, state: S, dialect: Dialect): Promise<void>;
}

/** What the domains register with the write path. */
export interface WriteRegistry {
  commands: Readonly<Record<string, CommandHandler>>;
  hooks: readonly BatchHook[];
  /** SQLite: what every writing connection needs (functions that triggers call). */
  prepareSqlite?(sqlite: BetterSqlite3.Database): void;
}

/**
 * The registry and the module it is exported from as `writeRegistry`: the SQLite write thread
 * imports that module, since functions do not cross threads.
 */
export interface WriteRegistrySource {
  registry: WriteRegistry;
  module: URL;
}

export function handlerOf(registry: WriteRegistry, command: WriteCommand): CommandHandler {
  const handler = registry.commands[command.kind];
  if (!handler) throw new Error(`No write command "${command.kind}" is registered.`);
  return handler;
}

/** Runs one command as one job of a batch. */
export function runCommand(
  registry: WriteRegistry,
  w: StepWriter,
  command: WriteCommand,
): Promise<unknown> {
  return handlerOf(registry, command).step(w, command);
}
