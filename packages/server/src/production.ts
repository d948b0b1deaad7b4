import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** What production mode checks before it starts (resolveConfig fills the defaults first). */
export interface ProductionFacts {
  smsProvider: string;
  testNumbers: boolean;
  dataDir: string;
  databaseUrl: string;
  contactHashKey?: string;
  contactHashKeyFile?: string;
}

/**
 * Why production mode must not start with this configuration: one line each, naming the setting
 * to change. All of them at once, so an operator fixes everything in one pass.
 */
export function productionRefusals(facts: ProductionFacts): string[] {
  const refusals: string[] = [];
  if (facts.smsProvider === 'console') {
    refusals.push(
      'Production mode needs a real SMS provider: "console" only prints codes to the log. ' +
        'Set sms.provider (TOKKI_SMS_PROVIDER) and its credentials, or run in local mode to try Tokki.',
    );
  }
  if (facts.testNumbers) {
    refusals.push(
      'Production mode refuses test numbers: +99966XYYYY sign in with publicly known codes. ' +
        'Remove testNumbers (TOKKI_TEST_NUMBERS).',
    );
  }
  if (facts.contactHashKey === undefined && facts.contactHashKeyFile === undefined) {
    refusals.push(
      'Production mode needs a contact-hash key: set TOKKI_CONTACT_HASH_KEY to 64 or more hex ' +
        'digits (e.g. `openssl rand -hex 32`), or contactHashKeyFile, and keep it apart from the database.',
    );
  }
  if (facts.contactHashKeyFile !== undefined) {
    const home = databaseHomes(facts).find((dir) => isInside(facts.contactHashKeyFile!, dir));
    if (home) {
      refusals.push(
        `Production mode refuses a contact-hash key stored beside the database: ` +
          `contactHashKeyFile ${facts.contactHashKeyFile} is inside ${home}. Keep it apart ` +
          `(e.g. /etc/tokki/contact-hash.key), or a stolen database or backup can be reversed.`,
      );
    }
  }
  return refusals;
}

/** Where the database and its backups live: the data directory and the SQLite file's directory. */
function databaseHomes(facts: ProductionFacts): string[] {
  const homes = [facts.dataDir];
  if (facts.databaseUrl.startsWith('sqlite:')) {
    homes.push(dirname(facts.databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')));
  }
  return homes;
}

/** Whether `path` is `dir` or under it, symbolic links followed where they exist. */
function isInside(path: string, dir: string): boolean {
  const from = real(dir);
  const to = real(path);
  const rel = relative(from, to);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path of the longest existing prefix, plus what does not exist yet. */
function real(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return resolve(real(parent), relative(parent, absolute));
  }
}
