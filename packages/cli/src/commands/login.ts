import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { TokkiClient } from '@tokki/sdk';
import {
  DamagedProfileError,
  deleteProfile,
  loadProfile,
  requireProfile,
  saveProfile,
  secretStateDir,
  type Profile,
} from '../credentials.js';
import { CliError, Output, describeError } from '../output.js';
import type { CommonOptions } from './common.js';

interface LoginOptions extends CommonOptions {
  server?: string;
  phone: string;
  code?: string;
  name?: string;
  deviceName: string;
}

interface LogoutOptions extends CommonOptions {
  force?: boolean;
}

/** `tokki login` and `tokki logout`. */
export function registerLogin(program: Command): Command[] {
  const login = program
    .command('login')
    .summary('Sign in by phone number')
    .description(
      'Sign in with a phone number: requests a code, asks for it (unless --code is given) ' +
        'and saves the server URL and device token in the profile',
    )
    .option('--server <url>', "server URL, e.g. http://localhost:8080 (default: the profile's)")
    .requiredOption('--phone <number>', 'phone number, e.g. +821012345678')
    .option('--code <code>', 'the sign-in code; asked for on the terminal when absent')
    .option('--name <name>', 'display name of a new account')
    .option('--device-name <name>', 'how this device is listed in `tokki devices`', deviceName())
    .action(runLogin);

  const logout = program
    .command('logout')
    .summary('Sign out and forget the profile')
    .description('Sign this device out (revoking its token) and forget the profile')
    .option('--force', 'forget the profile even if the server cannot be reached')
    .action(runLogout);

  return [login, logout];
}

async function runLogin(options: LoginOptions): Promise<void> {
  const out = new Output(options.json === true);
  const previous = loadPrevious(options.profile);
  const server = serverUrl(options.server ?? previous?.server);
  const client = new TokkiClient({ server });

  const sent = await client.requestCode(options.phone);
  const code = options.code ?? (await askForCode(sent.phone, sent.codeLength));
  const result = await client.signIn({
    phone: sent.phone,
    code,
    deviceName: options.deviceName,
    ...(options.name !== undefined && { displayName: options.name }),
  });
  const profile: Profile = {
    server,
    token: result.token,
    userId: result.me.id,
    deviceId: result.deviceId,
    phone: result.me.phone,
  };
  saveProfile(options.profile, profile);
  // The replaced token is gone from disk, so nobody could ever sign it out: revoke it now.
  if (previous && previous.token !== profile.token) await revokeQuietly(previous);

  out.result(
    {
      profile: options.profile,
      server,
      userId: result.me.id,
      deviceId: result.deviceId,
      displayName: result.me.displayName,
      phone: result.me.phone,
      newUser: result.newUser,
    },
    () =>
      `${result.newUser ? 'Welcome to Tokki! Signed up' : 'Signed in'} as ` +
      `${result.me.displayName} (${result.me.phone}) on ${server}` +
      (options.profile === 'default' ? '.' : `, profile "${options.profile}".`),
  );
}

async function runLogout(options: LogoutOptions): Promise<void> {
  const out = new Output(options.json === true);
  const profile = requireProfile(options.profile);
  const client = new TokkiClient({ server: profile.server, token: profile.token });
  try {
    await client.signOut();
  } catch (error) {
    if (!options.force) {
      throw new CliError(
        `Could not sign out (${describeError(error)}); the profile is kept. ` +
          'Use --force to forget it anyway.',
      );
    }
    out.note(`warning: the token was not revoked: ${describeError(error)}`);
  }
  deleteProfile(options.profile);
  // The device is gone: so are its secret chats' keys and what it decrypted.
  rmSync(secretStateDir(options.profile), { recursive: true, force: true });
  out.result({ profile: options.profile, signedOut: true }, () => 'Signed out.');
}

/** The server's base URL without a trailing slash; only http(s) makes sense. */
function serverUrl(input: string | undefined): string {
  if (!input) throw new CliError('Which server? Give --server URL, e.g. http://localhost:8080.');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`Invalid server URL "${input}": use e.g. http://localhost:8080.`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Reads the code from the terminal (or piped stdin), prompting on stderr. */
function askForCode(phone: string, length: number): Promise<string> {
  const terminal = process.stdin.isTTY === true && process.stderr.isTTY === true;
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal });
  return new Promise<string>((resolve, reject) => {
    let answered = false;
    prompt.once('close', () => {
      if (!answered) reject(new CliError('No code given: pass --code, or type it when asked.'));
    });
    // Asked in the same tick as the interface is made, so piped input is not missed.
    prompt.question(`Enter the ${length}-digit code sent to ${phone}: `, (answer) => {
      answered = true;
      prompt.close();
      // Piped input is not echoed: end the prompt's line so later messages start on their own.
      if (!terminal) process.stderr.write('\n');
      const code = answer.trim();
      if (code) resolve(code);
      else reject(new CliError('No code given: pass --code, or type it when asked.'));
    });
  });
}

/** The profile being replaced; a damaged one is simply overwritten. */
function loadPrevious(name: string): Profile | undefined {
  try {
    return loadProfile(name);
  } catch (error) {
    if (error instanceof DamagedProfileError) return undefined;
    throw error;
  }
}

async function revokeQuietly(profile: Profile): Promise<void> {
  try {
    await new TokkiClient({ server: profile.server, token: profile.token }).signOut();
  } catch {
    // Unreachable or already revoked: the new sign-in matters more.
  }
}

function deviceName(): string {
  // Device names are at most 64 characters; host names can be longer.
  return `tokki CLI on ${hostname().slice(0, 48)}`;
}
