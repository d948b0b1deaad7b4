import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './output.js';

/** What `tokki login` keeps for the other commands. The token is a secret: mode 0600. */
export interface Profile {
  server: string;
  token: string;
  userId: string;
  deviceId: string;
  phone: string;
  /** The pts of the last update `tokki listen` printed; absent until the first listen. */
  pts?: number;
}

export const DEFAULT_PROFILE = 'default';

/** A profile file that is not valid JSON or lacks fields; `tokki login` overwrites it. */
export class DamagedProfileError extends CliError {
  override name = 'DamagedProfileError';
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `$TOKKI_HOME`, or `~/.tokki`. */
export function tokkiHome(): string {
  return process.env.TOKKI_HOME || join(homedir(), '.tokki');
}

function profilesDir(): string {
  return join(tokkiHome(), 'profiles');
}

/** The profile's file; the name becomes a file name, so it is checked first. */
export function profilePath(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new CliError(
      `Invalid profile name "${name}": use letters, digits, ".", "_" and "-" (at most 64).`,
    );
  }
  return join(profilesDir(), `${name}.json`);
}

/** The stored profile, or undefined when there is none. */
export function loadProfile(name: string): Profile | undefined {
  const path = profilePath(name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let profile: unknown;
  try {
    profile = JSON.parse(text);
  } catch {
    profile = undefined;
  }
  if (!isProfile(profile)) {
    throw new DamagedProfileError(
      `${path} is damaged: run \`tokki login --profile ${name}\` again.`,
    );
  }
  return profile;
}

/** The stored profile; a clear error telling how to sign in when there is none. */
export function requireProfile(name: string): Profile {
  const profile = loadProfile(name);
  if (profile) return profile;
  const flag = name === DEFAULT_PROFILE ? '' : ` --profile ${name}`;
  throw new CliError(
    `Not signed in${name === DEFAULT_PROFILE ? '' : ` (profile "${name}")`}: ` +
      `run \`tokki login${flag} --server URL --phone NUMBER\` first.`,
  );
}

/** Writes the profile atomically (a reader never sees half a file), readable by its owner only. */
export function saveProfile(name: string, profile: Profile): void {
  const path = profilePath(name);
  const dir = profilesDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Saves the pts `tokki listen` has reached, unless the profile was signed out or signed in
 * again meanwhile (by another `tokki` process): then the pts belongs to nobody.
 */
export function savePts(name: string, token: string, pts: number): void {
  const current = loadProfile(name);
  if (!current || current.token !== token || current.pts === pts) return;
  saveProfile(name, { ...current, pts });
}

/**
 * Where the profile's secret-chat state lives (keys, groups, decrypted history: encrypted files,
 * owner only); `tokki logout` deletes it with the profile.
 */
export function secretStateDir(name: string): string {
  profilePath(name); // checks the name, which becomes a directory name
  return join(tokkiHome(), 'secret', name);
}

/** Deletes the profile; false when there was none. */
export function deleteProfile(name: string): boolean {
  const path = profilePath(name);
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}

function isProfile(value: unknown): value is Profile {
  if (typeof value !== 'object' || value === null) return false;
  const profile = value as Record<string, unknown>;
  return (
    ['server', 'token', 'userId', 'deviceId', 'phone'].every(
      (key) => typeof profile[key] === 'string',
    ) &&
    (profile.pts === undefined || (Number.isInteger(profile.pts) && Number(profile.pts) >= 0))
  );
}
