#!/usr/bin/env node
/**
 * `npm run abuse [-- options]`: tries each abuse against a Tokki server and counts what got
 * through (issue #15). See `--help` and docs/operations.md.
 */
import { parseArgs } from 'node:util';
import { abuseTable } from './report.js';
import { runAbuse } from './run.js';
import { remoteTarget, startAbuseTarget } from './target.js';
import { STEPPED_SPANS } from './tries.js';

const USAGE = `npm run abuse [-- options]

Tries each abuse (sign-in codes to one number and from one address, messages, typing, groups,
strangers put into groups, uploads) and prints a Markdown table of what got through.

Without --url it starts a server in this process with the default limits (local mode, a
throwaway SQLite database) and steps its clock, so a day takes seconds. With --url the server's
time passes for real: each abuse runs for --seconds, and the daily figures cover only that.

  --url <url>          a running server in local mode (the script signs in test numbers)
  --seconds <n>        with --url: how long each abuse runs (default 60)
  --first <n>          the first test number to sign in (default 90000; uses a few dozen)
  --victims <n>        users a stranger tries to put into groups (default 20)
  --help`;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string' },
    first: { type: 'string' },
    victims: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const whole = (value: string | undefined, fallback: number, name: string) => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number`);
  return n;
};

const seconds = whole(values.seconds, 60, '--seconds');
const target = values.url ? remoteTarget(values.url) : await startAbuseTarget();
const log = (line: string) => console.error(`[abuse] ${line}`);
try {
  const figures = await runAbuse(
    target,
    {
      spans: values.url ? { day: seconds * 1000, minutes: seconds * 1000 } : STEPPED_SPANS,
      firstTestNumber: whole(values.first, 90_000, '--first'),
      victims: whole(values.victims, 20, '--victims'),
    },
    log,
  );
  console.log(
    `Against ${values.url ?? 'a server started here with the default limits, its clock stepped'}:\n`,
  );
  console.log(abuseTable(figures));
} finally {
  await target.close();
}
