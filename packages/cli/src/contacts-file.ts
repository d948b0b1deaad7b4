import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { LIMITS } from '@tokki/protocol';
import { CliError } from './output.js';

/** One address-book line: `010-1234-5678` or `010-1234-5678,Mom`. */
export interface ContactLine {
  /** 1-based line number in the file, for messages. */
  line: number;
  phone: string;
  name?: string;
}

/**
 * A line that is not sent: one the server would refuse the whole call over (with `reason`), or a
 * repeat of an earlier line's number (with `duplicateOf`).
 */
export interface SkippedLine {
  line: number;
  phone: string;
  reason?: string;
  duplicateOf?: number;
}

/** The lengths `contacts.sync` accepts for a number; anything else fails the whole call. */
const PHONE_LENGTH = { min: 3, max: 32 };

/**
 * Reads an address-book file line by line (never whole, so a huge file costs little memory) and
 * yields its entries in batches of `batchSize`. Blank and `#` lines are ignored; lines that would
 * fail a whole batch, and repeats, go to `onSkip` instead. `path` "-" reads stdin.
 */
export async function* readContactBatches(
  path: string,
  batchSize: number,
  onSkip: (skipped: SkippedLine) => void,
): AsyncGenerator<ContactLine[]> {
  const input = await openInput(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  // Same digits, same number: `010-1234-5678` repeats `01012345678`. Other spellings of one
  // number (`+82 10…`) are the server's to match.
  const seen = new Map<string, number>();
  let batch: ContactLine[] = [];
  let number = 0;
  try {
    for await (const raw of lines) {
      number++;
      const entry = parseLine(number === 1 ? raw.replace(/^\uFEFF/, '') : raw, number);
      if (entry === undefined) continue;
      if ('reason' in entry) {
        onSkip(entry);
        continue;
      }
      const key = entry.phone.replace(/[\s\-.()]/g, '');
      const first = seen.get(key);
      if (first !== undefined) {
        onSkip({ line: number, phone: entry.phone, duplicateOf: first });
        continue;
      }
      seen.set(key, number);
      batch.push(entry);
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    throw fileError(path, error);
  } finally {
    lines.close();
    if (input !== process.stdin) input.destroy();
  }
  if (batch.length > 0) yield batch;
}

/** An entry, a line to skip with its reason, or undefined for blank and comment lines. */
export function parseLine(raw: string, line: number): ContactLine | SkippedLine | undefined {
  const text = raw.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const comma = text.indexOf(',');
  const phone = (comma < 0 ? text : text.slice(0, comma)).trim();
  const name = comma < 0 ? '' : text.slice(comma + 1).trim();
  if (phone.length < PHONE_LENGTH.min || phone.length > PHONE_LENGTH.max) {
    return { line, phone, reason: 'Not a phone number (too short or too long).' };
  }
  if (name.length > LIMITS.CONTACT_NAME_MAX) {
    return { line, phone, reason: `Name longer than ${LIMITS.CONTACT_NAME_MAX} characters.` };
  }
  return name === '' ? { line, phone } : { line, phone, name };
}

async function openInput(path: string): Promise<Readable> {
  if (path === '-') return process.stdin;
  let handle;
  try {
    handle = await open(path, 'r');
    // Opening a directory succeeds; reading it would fail later with a vaguer message.
    if ((await handle.stat()).isDirectory()) {
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
  } catch (error) {
    await handle?.close();
    throw fileError(path, error);
  }
  return handle.createReadStream({ encoding: 'utf8' });
}

function fileError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new CliError(`Cannot read ${path}: no such file.`);
  if (code === 'EISDIR') return new CliError(`Cannot read ${path}: it is a directory.`);
  if (code === 'EACCES') return new CliError(`Cannot read ${path}: permission denied.`);
  if (code) return new CliError(`Cannot read ${path}: ${(error as Error).message}`);
  return error;
}
