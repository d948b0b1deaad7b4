import { TokkiError } from '@tokki/sdk';
import { formatDuration } from './format.js';
import { terminalSafe, terminalSafeJson } from './terminal-safe.js';

/** A mistake the user can fix (bad input, not signed in): reported without a code or stack. */
export class CliError extends Error {
  override name = 'CliError';
}

/**
 * Where a command's results go. With `--json`, one JSON object per line on stdout for scripts;
 * otherwise text for people. Progress and hints always go to stderr so stdout stays parseable.
 * Everything printed may hold what other users wrote, so it is made safe for a terminal first.
 */
export class Output {
  constructor(readonly json: boolean) {}

  /** Prints one result: `value` as a JSON line, or the text that `human` returns. */
  result(value: unknown, human: () => string): void {
    console.log(this.json ? terminalSafeJson(value) : terminalSafe(human()));
  }

  /** A line for people only (headings, "nothing here"); never printed with --json. */
  text(line: string): void {
    if (!this.json) console.log(terminalSafe(line));
  }

  /** Progress, warnings and prompts: stderr, in both modes. */
  note(line: string): void {
    console.error(terminalSafe(line));
  }
}

/**
 * Prints an error on stderr as `error: CODE: message` for API errors (the code is what scripts
 * match on) or `error: message` for everything else. Tokens never appear in these messages.
 */
export function reportError(error: unknown): void {
  console.error(`error: ${terminalSafe(describeError(error))}`);
  const hint = hintFor(error);
  if (hint) console.error(hint);
  if (process.env.TOKKI_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
}

export function describeError(error: unknown): string {
  if (error instanceof TokkiError) {
    const cause = rootCause(error);
    return `${error.code}: ${error.message}${cause ? ` (${cause})` : ''}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

function hintFor(error: unknown): string | undefined {
  if (!(error instanceof TokkiError)) return undefined;
  if (error.code === 'UNAUTHENTICATED') {
    return 'This profile is signed out: run `tokki login --server URL --phone NUMBER` again.';
  }
  if (error.code === 'RATE_LIMITED' && error.retryAfter !== undefined) {
    return `Try again in ${formatDuration(error.retryAfter)}.`;
  }
  return undefined;
}

/** Why a connection failed ("connect ECONNREFUSED 127.0.0.1:1"), from the innermost cause. */
function rootCause(error: Error): string | undefined {
  let cause: unknown = error.cause;
  let message: string | undefined;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    message = cause.message;
    cause = cause.cause;
  }
  return message;
}
