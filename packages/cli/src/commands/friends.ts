import type { Friend, MethodParams } from '@tokki/protocol';
import type { Command } from 'commander';
import { friendLabel, padEnd, preview, shownName } from '../format.js';
import { CliError } from '../output.js';
import { TOKKI_ID_RULE, isTokkiId, openSession, userId, type CommonOptions } from './common.js';

interface ListOptions extends CommonOptions {
  hidden?: boolean;
}

interface AddOptions extends CommonOptions {
  user?: string;
}

interface UpdateOptions extends CommonOptions {
  favorite?: boolean;
  hidden?: boolean;
  /** A name, or false for `--no-name`. */
  name?: string | false;
}

/** `tokki friends` and its subcommands. */
export function registerFriends(program: Command): Command[] {
  const friends = program
    .command('friends')
    .summary('Your friends (tokki friends --help)')
    .description(
      'Your friends: contacts who use Tokki, and people you added by number or Tokki ID. ' +
        'Without a subcommand, lists them.',
    );

  const list = friends
    .command('list', { isDefault: true })
    .summary('List your friends (the default)')
    .description(
      'List your friends: favourites first, then by the name you see (your address book’s, ' +
        'else their own)',
    )
    .option('--hidden', 'also list hidden friends, after the others')
    .action(runList);

  const recommended = friends
    .command('recommended')
    .summary('People who have your number but are not your friends')
    .description(
      'List people who have your number in their address book but are not your friends; ' +
        'add them with `tokki friends add --user USER_ID`, or `tokki friends dismiss USER_ID`',
    )
    .action(runRecommended);

  const add = friends
    .command('add')
    .summary('Add a friend by phone number or Tokki ID')
    .description(
      'Add a friend by phone number (+82 10-1234-5678, 010-1234-5678) or Tokki ID, or by user ' +
        'id with --user (someone from `tokki friends recommended` or a chat)',
    )
    .argument('[phone-or-id]', 'a phone number, or a Tokki ID')
    .option('--user <user-id>', 'add this user id (u_…) instead')
    .action(runAdd);

  const update = friends
    .command('update')
    .summary('Favourite, hide or rename a friend')
    .description('Favourite, hide or rename a friend; the changes are yours only')
    .argument('<user-id>', 'the friend, from `tokki friends`')
    .option('--favorite', 'list them among your favourites')
    .option('--no-favorite', 'not a favourite any more')
    .option('--hidden', 'hide them (they stay friends: `tokki friends --hidden`)')
    .option('--no-hidden', 'show them again')
    .option('--name <name>', 'the name you see them by')
    .option('--no-name', 'see them by their own name again')
    .action(runUpdate);

  const dismiss = friends
    .command('dismiss')
    .summary('Stop recommending someone')
    .description('Never recommend this user again')
    .argument('<user-id>', 'from `tokki friends recommended`')
    .action(runDismiss);

  const block = friends
    .command('block')
    .summary('Block a user')
    .description(
      'Block a user: they cannot message you or start a chat with you, do not see your ' +
        'profile changes, and are not told. A friend stops being one until unblocked.',
    )
    .argument('<user-id>', 'the user (u_…)')
    .action(runBlock);

  const unblock = friends
    .command('unblock')
    .summary('Unblock a user')
    .description('Unblock a user; a former friend is a friend again')
    .argument('<user-id>', 'from `tokki friends blocked`')
    .action(runUnblock);

  const blocked = friends
    .command('blocked')
    .summary('List the users you blocked')
    .description('List the users you blocked')
    .action(runBlocked);

  return [list, recommended, add, update, dismiss, block, unblock, blocked];
}

async function runList(options: ListOptions): Promise<void> {
  const { client, out } = openSession(options);
  const { friends } = await client.call('friends.list', {});
  const shown = friends.filter((friend) => options.hidden || !friend.hidden).sort(byListOrder);
  for (const friend of shown) out.result(friend, () => describeFriend(friend));
  const hidden = friends.length - shown.length;
  if (shown.length === 0) {
    out.text(
      'No friends yet: `tokki contacts sync --file FILE` or `tokki friends add PHONE_OR_ID`.',
    );
  }
  if (hidden > 0) out.text(`(${hidden} hidden: \`tokki friends --hidden\` lists them.)`);
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Favourites, then the others, then hidden friends; by shown name within each. */
function byListOrder(a: Friend, b: Friend): number {
  const group = (friend: Friend) => (friend.hidden ? 2 : friend.favorite ? 0 : 1);
  return (
    group(a) - group(b) ||
    collator.compare(shownName(a), shownName(b)) ||
    a.user.id.localeCompare(b.user.id)
  );
}

/** `u_…  ★ Mom (Minji)    on holiday`. */
function describeFriend(friend: Friend): string {
  const mark = friend.favorite ? '★' : ' ';
  const hidden = friend.hidden ? '(hidden) ' : '';
  return (
    `${friend.user.id}  ${mark} ${padEnd(preview(friendLabel(friend), 28), 28)}  ` +
    `${hidden}${preview(friend.user.statusMessage, 40)}`
  ).trimEnd();
}

async function runRecommended(options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  const { recommendations } = await client.call('friends.recommended', {});
  for (const recommendation of recommendations) {
    const { user } = recommendation;
    out.result(recommendation, () =>
      `${user.id}  ${padEnd(preview(user.displayName, 28), 28)}  ${preview(user.statusMessage, 40)}`.trimEnd(),
    );
  }
  if (recommendations.length === 0) {
    out.text('No recommendations: nobody new has your number.');
  }
}

async function runAdd(who: string | undefined, options: AddOptions): Promise<void> {
  if (who !== undefined && options.user !== undefined) {
    throw new CliError('Give a phone number or Tokki ID, or --user USER_ID, not both.');
  }
  if (who === undefined && options.user === undefined) {
    throw new CliError('Whom to add? Give a phone number or Tokki ID, or --user USER_ID.');
  }
  let params: MethodParams<'friends.add'> | undefined;
  if (who !== undefined) {
    if (looksLikePhone(who)) params = { phone: who };
    else if (isTokkiId(who)) params = { tokkiId: who };
    else {
      throw new CliError(`"${who}" is neither a phone number nor a Tokki ID (${TOKKI_ID_RULE}).`);
    }
  }
  const { client, out } = openSession(options);
  const friend = params
    ? await client.call('friends.add', params)
    : await client.call('friends.addById', { userId: userId(options.user!) });
  out.result(friend, () => `${friend.user.id}  ${friendLabel(friend)} is your friend.`);
}

/** `+…`, or digits with the usual separators; a Tokki ID never starts with + or has spaces. */
function looksLikePhone(value: string): boolean {
  return value.startsWith('+') || /^[\d\s\-()]+$/.test(value);
}

async function runUpdate(id: string, options: UpdateOptions): Promise<void> {
  const params: MethodParams<'friends.update'> = {
    userId: userId(id),
    ...(options.favorite !== undefined && { favorite: options.favorite }),
    ...(options.hidden !== undefined && { hidden: options.hidden }),
    ...(options.name !== undefined && {
      contactName: options.name === false ? null : options.name,
    }),
  };
  if (Object.keys(params).length === 1) {
    throw new CliError(
      'Nothing to change: give --favorite, --no-favorite, --hidden, --no-hidden, --name or --no-name.',
    );
  }
  const { client, out } = openSession(options);
  const friend = await client.call('friends.update', params);
  out.result(friend, () => describeFriend(friend));
}

async function runDismiss(id: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  await client.call('friends.dismiss', { userId: userId(id) });
  out.result({ userId: id, dismissed: true }, () => `${id} will not be recommended again.`);
}

async function runBlock(id: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  await client.call('friends.block', { userId: userId(id) });
  out.result(
    { userId: id, blocked: true },
    () => `Blocked ${id}: they cannot message you or start a chat with you.`,
  );
}

async function runUnblock(id: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  await client.call('friends.unblock', { userId: userId(id) });
  out.result({ userId: id, blocked: false }, () => `Unblocked ${id}.`);
}

async function runBlocked(options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  const { users } = await client.call('friends.blocked', {});
  for (const user of users) out.result(user, () => `${user.id}  ${user.displayName}`);
  if (users.length === 0) out.text('Nobody is blocked.');
}
