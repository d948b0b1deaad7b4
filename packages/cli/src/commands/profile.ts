import type { Me, MethodParams } from '@tokki/protocol';
import type { Command } from 'commander';
import { describeError, CliError } from '../output.js';
import { readPhoto, uploadProfilePhoto, type Photo } from '../photo.js';
import {
  TOKKI_ID_RULE,
  isTokkiId,
  openSession,
  type CommonOptions,
  type Session,
} from './common.js';

interface SetOptions extends CommonOptions {
  name?: string;
  status?: string;
  /** A file, or false for `--no-photo`. */
  photo?: string | false;
  /** A Tokki ID, or false for `--no-id`. */
  id?: string | false;
}

/** `tokki profile` and `tokki profile set`. */
export function registerProfile(program: Command): Command[] {
  const profile = program
    .command('profile')
    .summary('Your profile (tokki profile --help)')
    .description('Show or change your profile: name, status message, picture and Tokki ID');

  const show = profile
    .command('show', { isDefault: true })
    .summary('Show your profile (the default)')
    .description('Show your profile as others see it, with your phone number and Tokki ID')
    .action(runShow);

  const set = profile
    .command('set')
    .summary('Change your name, status message, picture or Tokki ID')
    .description(
      'Change your profile; only what you give changes. Your friends see the change live.',
    )
    .option('--name <name>', 'display name')
    .option('--status <text>', 'status message ("" clears it)')
    .option('--photo <file>', 'profile picture: a JPEG, PNG, WebP or GIF of at most 10 MiB')
    .option('--no-photo', 'remove the profile picture')
    .option(
      '--id <tokki-id>',
      'Tokki ID others can add you by instead of your number (4–20 letters, digits, . and _)',
    )
    .option('--no-id', 'remove your Tokki ID')
    .action(runSet);

  return [show, set];
}

async function runShow(options: CommonOptions): Promise<void> {
  const session = openSession(options);
  printMe(session, await session.client.call('profile.get', {}));
}

async function runSet(options: SetOptions): Promise<void> {
  const session = openSession(options);
  const { client, profile } = session;
  const update: MethodParams<'profile.update'> = {
    ...(options.name !== undefined && { displayName: options.name }),
    ...(options.status !== undefined && { statusMessage: options.status }),
    ...(options.id !== undefined && { tokkiId: options.id === false ? null : tokkiId(options.id) }),
  };
  if (Object.keys(update).length === 0 && options.photo === undefined) {
    throw new CliError(
      'Nothing to change: give --name, --status, --photo, --no-photo, --id or --no-id.',
    );
  }
  // Refuse an unreadable or non-image picture before changing anything.
  const photo: Photo | undefined =
    typeof options.photo === 'string' ? await readPhoto(options.photo) : undefined;

  let me: Me | undefined;
  if (Object.keys(update).length > 0) me = await client.call('profile.update', update);
  try {
    if (photo) me = await uploadProfilePhoto(profile, photo);
    else if (options.photo === false) me = await client.call('profile.removePhoto', {});
  } catch (error) {
    if (!me) throw error;
    // The other changes are saved; say so rather than leave the user guessing.
    throw new CliError(
      `The other changes were saved, but not the picture: ${describeError(error)}`,
    );
  }
  printMe(session, me!);
}

function printMe({ out, profile }: Session, me: Me): void {
  const photoUrl = me.photo ? `${profile.server}/v1/photos/${me.photo}` : null;
  out.result({ ...me, photoUrl }, () =>
    [
      `${me.displayName} (${me.phone})`,
      `  user      ${me.id}`,
      `  Tokki ID  ${me.tokkiId ?? '(none)'}`,
      `  status    ${me.statusMessage || '(none)'}`,
      `  photo     ${photoUrl ?? '(none)'}`,
    ].join('\n'),
  );
}

function tokkiId(id: string): string {
  if (!isTokkiId(id)) throw new CliError(`"${id}" cannot be a Tokki ID: use ${TOKKI_ID_RULE}.`);
  return id;
}
