import { InvalidArgumentError, type Command } from 'commander';
import { TokkiId } from '@tokki/protocol';
import { TokkiClient } from '@tokki/sdk';
import { DEFAULT_PROFILE, requireProfile, type Profile } from '../credentials.js';
import { CliError, Output } from '../output.js';

/** Options every client command takes. */
export interface CommonOptions {
  profile: string;
  json?: boolean;
}

/** A signed-in profile, a client for its server and where to print. */
export interface Session {
  profileName: string;
  profile: Profile;
  client: TokkiClient;
  out: Output;
}

/**
 * Adds `--profile` and `--json`. Called once a command's own options are declared, because help
 * lists options in the order they were added and the command's own matter more.
 */
export function addCommonOptions(command: Command): void {
  command
    .option('--profile <name>', 'credentials to use, from $TOKKI_HOME/profiles', DEFAULT_PROFILE)
    .option('--json', 'print one JSON object per line, for scripts');
}

/** The profile's session; throws a "run tokki login" error when the profile is signed out. */
export function openSession(options: CommonOptions): Session {
  const profile = requireProfile(options.profile);
  return {
    profileName: options.profile,
    profile,
    client: new TokkiClient({ server: profile.server, token: profile.token, pts: profile.pts }),
    out: new Output(options.json === true),
  };
}

/** A commander parser for counts such as `--limit`. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('Not a positive whole number.');
  }
  return number;
}

/** A commander parser for durations in seconds such as `--timeout 2.5`. */
export function positiveSeconds(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(number > 0) || number > 2_000_000) {
    throw new InvalidArgumentError('Not a positive number of seconds.');
  }
  return number;
}

/** The protocol's rule for Tokki IDs (`minji.kim`), checked here for a clearer message. */
export function isTokkiId(value: string): boolean {
  const { minLength = 0, maxLength = Infinity, pattern = '' } = TokkiId;
  return value.length >= minLength && value.length <= maxLength && new RegExp(pattern).test(value);
}

/** What a Tokki ID may be, for error messages. */
export const TOKKI_ID_RULE = `${TokkiId.minLength}–${TokkiId.maxLength} letters, digits, "." and "_"`;

/** A user id as `tokki friends` prints them; anything else is refused before the call. */
export function userId(value: string): string {
  if (!value.startsWith('u_')) {
    throw new CliError(`"${value}" is not a user id (u_…): \`tokki friends\` lists them.`);
  }
  return value;
}
