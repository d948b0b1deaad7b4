import { LIMITS, type Friend } from '@tokki/protocol';
import type { Command } from 'commander';
import { TokkiError } from '@tokki/sdk';
import { readContactBatches, type SkippedLine } from '../contacts-file.js';
import { formatDuration, friendLabel } from '../format.js';
import type { Output } from '../output.js';
import { openSession, type CommonOptions } from './common.js';

interface FileOptions extends CommonOptions {
  file: string;
}

type Direction = 'add' | 'remove';

/** What one `tokki contacts sync` or `remove` did, line numbers being the file's. */
interface SyncReport {
  file: string;
  /** Entries sent to the server. */
  sent: number;
  added: number;
  renamed: number;
  removed: number;
  /** Entries sent that changed nothing: already there (sync), or not there (remove). */
  unchanged: number;
  /** Lines not taken: refused by the server or, before sending, by the CLI. */
  rejected: { line: number; phone: string; reason: string }[];
  /** Lines repeating an earlier line's number, not sent. */
  duplicates: { line: number; phone: string; duplicateOf: number }[];
  friendsAdded: Friend[];
  /** False when the server's daily limit stopped the upload part way. */
  complete: boolean;
  /** The first line not sent, when not complete. */
  stoppedAtLine?: number;
  /** Seconds until the limit allows more, when not complete. */
  retryAfter?: number;
}

const FILE_HELP = `
The file has one phone number per line, optionally followed by a comma and the name your address
book gives that person; blank lines and lines starting with # are ignored:

  # family
  010-1234-5678,Mom
  +82 10 9876 5432

Numbers without a country code are read as in your own number's country. The upload goes in
batches of ${LIMITS.CONTACTS_PER_CALL_MAX}. The server limits how many new numbers an account may upload per day;
when the limit is reached the upload stops with RATE_LIMITED and says when to run the same
command again (numbers already uploaded do not count again).`;

/** `tokki contacts sync` and `tokki contacts remove`. */
export function registerContacts(program: Command): Command[] {
  const contacts = program
    .command('contacts')
    .summary('Your address book (tokki contacts --help)')
    .description(
      'Keep your address book on the server: contacts who use Tokki become your friends, ' +
        'and see you among their recommended friends',
    );

  const sync = contacts
    .command('sync')
    .summary('Add the numbers in a file to your address book')
    .description(
      'Add the numbers in a file to your address book on the server (or rename them there); ' +
        'contacts who use Tokki become friends. Prints what was added, and the lines refused.',
    )
    .requiredOption('--file <file>', 'one number per line, optionally ",name"; "-" reads stdin')
    .addHelpText('after', FILE_HELP)
    .action((options: FileOptions) => runSync(options, 'add'));

  const remove = contacts
    .command('remove')
    .summary('Remove the numbers in a file from your address book')
    .description(
      'Remove the numbers in a file (same format as for sync; names are ignored) from your ' +
        'address book on the server. Friends stay friends.',
    )
    .requiredOption('--file <file>', 'one number per line; "-" reads stdin')
    .action((options: FileOptions) => runSync(options, 'remove'));

  return [sync, remove];
}

async function runSync(options: FileOptions, direction: Direction): Promise<void> {
  const { client, out } = openSession(options);
  const report: SyncReport = {
    file: options.file,
    sent: 0,
    added: 0,
    renamed: 0,
    removed: 0,
    unchanged: 0,
    rejected: [],
    duplicates: [],
    friendsAdded: [],
    complete: true,
  };
  const onSkip = ({ line, phone, reason, duplicateOf }: SkippedLine) => {
    if (duplicateOf !== undefined) report.duplicates.push({ line, phone, duplicateOf });
    else report.rejected.push({ line, phone, reason: reason ?? 'refused' });
  };
  const progress = new Progress(out, direction);
  let lastLine = 0;
  try {
    for await (const batch of readContactBatches(
      options.file,
      LIMITS.CONTACTS_PER_CALL_MAX,
      onSkip,
    )) {
      let result;
      try {
        result = await client.call(
          'contacts.sync',
          direction === 'add'
            ? { add: batch.map(({ phone, name }) => (name ? { phone, name } : { phone })) }
            : { remove: batch.map(({ phone }) => phone) },
        );
      } catch (error) {
        if (!(error instanceof TokkiError && error.code === 'RATE_LIMITED')) throw error;
        report.complete = false;
        report.stoppedAtLine = batch[0]!.line;
        if (error.retryAfter !== undefined) report.retryAfter = error.retryAfter;
        break;
      }
      report.sent += batch.length;
      report.added += result.added;
      report.renamed += result.renamed;
      report.removed += result.removed;
      let rejected = 0;
      for (const { list, index, reason } of result.rejected) {
        const entry = list === direction ? batch[index] : undefined;
        if (!entry) continue;
        report.rejected.push({ line: entry.line, phone: entry.phone, reason });
        rejected++;
      }
      report.unchanged += batch.length - result.added - result.renamed - result.removed - rejected;
      report.friendsAdded.push(...result.friendsAdded);
      lastLine = batch[batch.length - 1]!.line;
      progress.show(report.sent);
    }
  } catch (error) {
    progress.done();
    // What went up stays up, and entries already there are not new: a rerun is harmless.
    if (report.sent > 0) {
      out.note(
        `Lines up to ${lastLine} were uploaded before the error; running the command again is safe.`,
      );
    }
    throw error;
  }
  progress.done();
  report.rejected.sort((a, b) => a.line - b.line);
  report.duplicates.sort((a, b) => a.line - b.line);
  out.result(report, () => describeReport(report, direction));
  if (!report.complete) throw limitReached(report);
}

/**
 * RATE_LIMITED (the code scripts match on), saying what was sent and when to go on. The wait is
 * in the message, so the error carries no `retryAfter` for the generic hint to repeat.
 */
function limitReached(report: SyncReport): TokkiError {
  const stopped = report.stoppedAtLine!;
  const uploaded =
    report.sent === 0
      ? 'nothing was uploaded'
      : `${report.sent} entries up to line ${stopped - 1} were uploaded`;
  const when =
    report.retryAfter === undefined ? 'later' : `in ${formatDuration(report.retryAfter)}`;
  return new TokkiError(
    'RATE_LIMITED',
    `The server's daily limit on new numbers is reached: ${uploaded}, nothing from line ` +
      `${stopped} on. Run the same command again ${when}; numbers already uploaded do not ` +
      'count again.',
  );
}

function describeReport(report: SyncReport, direction: Direction): string {
  const lines = [
    direction === 'add'
      ? `Added ${report.added}, renamed ${report.renamed}, unchanged ${report.unchanged} ` +
        `(${report.sent} sent from ${report.file}).`
      : `Removed ${report.removed}, not in your address book ${report.unchanged} ` +
        `(${report.sent} sent from ${report.file}).`,
  ];
  const refused = report.rejected.length;
  if (refused > 0) {
    lines.push(`Refused ${refused} ${refused === 1 ? 'line' : 'lines'}:`);
    for (const { line, phone, reason } of report.rejected) {
      lines.push(`  line ${line}: ${phone}: ${reason}`);
    }
  }
  if (report.duplicates.length > 0) {
    lines.push(`Skipped ${report.duplicates.length} repeated:`);
    for (const { line, phone, duplicateOf } of report.duplicates) {
      lines.push(`  line ${line}: ${phone}: same number as line ${duplicateOf}`);
    }
  }
  if (report.friendsAdded.length > 0) {
    lines.push(`New friends (${report.friendsAdded.length}):`);
    for (const friend of report.friendsAdded) {
      lines.push(`  ${friend.user.id}  ${friendLabel(friend)}`);
    }
  }
  return lines.join('\n');
}

/** A running count on a terminal, for uploads of many batches; nothing when piped. */
class Progress {
  readonly #active: boolean;
  #shown = false;

  constructor(
    out: Output,
    readonly direction: Direction,
  ) {
    this.#active = process.stderr.isTTY === true && !out.json;
  }

  show(sent: number): void {
    if (!this.#active) return;
    process.stderr.write(`\r${this.direction === 'add' ? 'Uploaded' : 'Sent'} ${sent}…`);
    this.#shown = true;
  }

  done(): void {
    if (this.#shown) process.stderr.write('\r\x1b[K');
    this.#shown = false;
  }
}
